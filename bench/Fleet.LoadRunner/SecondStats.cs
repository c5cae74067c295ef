namespace Fleet.LoadRunner;

/// <summary>One second of the measured window, by completion time.</summary>
public sealed class SecondStats
{
    /// <summary>Latencies of the requests that completed in this second (errors included), in µs.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Requests that completed with an error in this second.</summary>
    public long Errors { get; set; }

    /// <summary>Requests started in this second (open model: intended start), to show the arrival rate.</summary>
    public long Started { get; set; }

    /// <summary>Response bytes received in this second.</summary>
    public long BytesIn { get; set; }
}
