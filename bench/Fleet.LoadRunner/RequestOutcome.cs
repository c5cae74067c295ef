namespace Fleet.LoadRunner;

/// <summary>
/// What one request did: the step it ran, its error kind (null when it succeeded), the bytes moved, and any
/// latencies measured inside it (chat: send→ack and send→receive per member).
/// </summary>
public readonly record struct RequestOutcome(string Step, string? Error, long BytesIn, long BytesOut, IReadOnlyList<Timing>? Timings = null);
