namespace Fleet.LoadRunner;

/// <summary>
/// Collects measured requests from many tasks. One lock guards everything: at the rates a 2-core box can drive
/// over HTTP (tens of thousands per second) an uncontended lock costs far less than the request itself.
/// </summary>
public sealed class MetricsRecorder
{
    /// <summary>The time series covers at most this many seconds; later completions land in the last second.</summary>
    public const int MaxSeconds = 3600;

    private readonly Lock _lock = new();
    private readonly LatencyHistogram _all = new();
    private readonly Dictionary<string, LatencyHistogram> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _stepErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LatencyHistogram> _timings = new(StringComparer.Ordinal);
    private readonly List<SecondStats> _seconds = [];
    private long _bytesIn;
    private long _bytesOut;
    private long _late;
    private long _started;

    /// <summary>Counts a request start (measured part only) for the per-second arrival series.</summary>
    public void RecordStart(double offsetSeconds, bool late)
    {
        lock (_lock)
        {
            _started++;
            if (late)
            {
                _late++;
            }

            SecondAt(offsetSeconds).Started++;
        }
    }

    /// <summary>Records a finished request: <paramref name="latencyMicros"/> from its (intended) start to its end.</summary>
    public void Record(RequestOutcome outcome, long latencyMicros, double completionOffsetSeconds)
    {
        lock (_lock)
        {
            _all.Record(latencyMicros);
            if (!_steps.TryGetValue(outcome.Step, out var step))
            {
                step = new LatencyHistogram();
                _steps.Add(outcome.Step, step);
                _stepErrors.Add(outcome.Step, 0);
            }

            step.Record(latencyMicros);
            var second = SecondAt(completionOffsetSeconds);
            second.Latency.Record(latencyMicros);
            second.BytesIn += outcome.BytesIn;
            if (outcome.Error is not null)
            {
                _errors[outcome.Error] = _errors.GetValueOrDefault(outcome.Error) + 1;
                _stepErrors[outcome.Step]++;
                second.Errors++;
            }

            foreach (var timing in outcome.Timings ?? [])
            {
                if (!_timings.TryGetValue(timing.Name, out var histogram))
                {
                    histogram = new LatencyHistogram();
                    _timings.Add(timing.Name, histogram);
                }

                histogram.Record(timing.Micros);
            }

            _bytesIn += outcome.BytesIn;
            _bytesOut += outcome.BytesOut;
        }
    }

    /// <summary>A consistent copy of what has been recorded so far.</summary>
    public MetricsSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new MetricsSnapshot(
                _all.Clone(),
                _steps.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal),
                new Dictionary<string, long>(_stepErrors, StringComparer.Ordinal),
                new Dictionary<string, long>(_errors, StringComparer.Ordinal),
                [.. _seconds],
                _timings.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal),
                _started,
                _late,
                _bytesIn,
                _bytesOut);
        }
    }

    private SecondStats SecondAt(double offsetSeconds)
    {
        var index = (int)Math.Clamp(Math.Floor(offsetSeconds), 0, MaxSeconds - 1);
        while (_seconds.Count <= index)
        {
            _seconds.Add(new SecondStats());
        }

        return _seconds[index];
    }
}
