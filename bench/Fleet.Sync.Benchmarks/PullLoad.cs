using System.Diagnostics;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// A closed-loop pull load: callers fetch pages back to back for a fixed time, each from the next cursor position
/// of a list spread over the log, so every run covers its start, middle and end alike.
/// </summary>
internal static class PullLoad
{
    public static async Task<PullOutcome> RunAsync(
        Func<long, int, CancellationToken, Task<int>> fetchPage, IReadOnlyList<long> positions, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var next = -1;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();

        async Task<List<PageSample>> CallerAsync(int caller)
        {
            var samples = new List<PageSample>();

            // Bounded by the deadline; each page is bounded by the HTTP client or command timeout.
            while (Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var index = (int)((uint)Interlocked.Increment(ref next) % (uint)positions.Count);
                var started = Stopwatch.GetTimestamp();
                var changes = await fetchPage(positions[index], caller, cancellationToken);
                samples.Add(new PageSample(Stopwatch.GetTimestamp() - started, index * 3 / positions.Count, changes));
            }

            return samples;
        }

        var all = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(CallerAsync));
        watch.Stop();
        return new PullOutcome(all.SelectMany(s => s).ToList(), watch.Elapsed);
    }
}
