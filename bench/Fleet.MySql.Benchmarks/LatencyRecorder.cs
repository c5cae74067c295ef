using System.Diagnostics;

namespace Fleet.MySql.Benchmarks;

/// <summary>
/// Query latencies in a bounded array shared by all callers; past its capacity further samples are dropped (and
/// counted), which only happens on runs far longer than the defaults.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _next;

    public void Record(long elapsedTimestampTicks)
    {
        var index = Interlocked.Increment(ref _next) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = elapsedTimestampTicks;
        }
    }

    public void Reset() => Volatile.Write(ref _next, 0);

    /// <summary>The p50 and p99 in milliseconds of what was recorded since the last reset.</summary>
    public (double P50, double P99) Percentiles()
    {
        var count = Math.Min(Volatile.Read(ref _next), _samples.Length);
        if (count == 0)
        {
            return (double.NaN, double.NaN);
        }

        var sorted = _samples.AsSpan(0, count);
        sorted.Sort();
        return (ToMilliseconds(sorted[(int)((count - 1) * 0.50)]), ToMilliseconds(sorted[(int)((count - 1) * 0.99)]));
    }

    private static double ToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
