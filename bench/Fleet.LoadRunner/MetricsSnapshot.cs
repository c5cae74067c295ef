namespace Fleet.LoadRunner;

/// <summary>Recorded metrics of the measured window (warm-up excluded).</summary>
/// <param name="Latency">Every measured request, errors included, in µs.</param>
/// <param name="Steps">Latency per step name.</param>
/// <param name="StepErrors">Errors per step name.</param>
/// <param name="Errors">Errors by kind: <c>http-503</c>, <c>timeout</c>, <c>socket</c>, …</param>
/// <param name="Seconds">Per-second series from the end of the warm-up.</param>
/// <param name="Timings">Latencies measured inside requests (chat send→ack, send→receive), by name; not requests themselves.</param>
/// <param name="Started">Measured requests started.</param>
/// <param name="Late">Open model: requests that started more than 1 ms after their intended time.</param>
/// <param name="BytesIn">Response bytes (headers excluded: the handler does not expose them).</param>
/// <param name="BytesOut">Request body bytes.</param>
public sealed record MetricsSnapshot(
    LatencyHistogram Latency,
    IReadOnlyDictionary<string, LatencyHistogram> Steps,
    IReadOnlyDictionary<string, long> StepErrors,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyList<SecondStats> Seconds,
    IReadOnlyDictionary<string, LatencyHistogram> Timings,
    long Started,
    long Late,
    long BytesIn,
    long BytesOut)
{
    /// <summary>Requests that ended with an error.</summary>
    public long ErrorCount => Errors.Values.Sum();
}
