namespace Fleet.LoadRunner;

/// <summary>
/// A latency measured inside one request, reported on its own beside the request's latency: for a chat message,
/// send→ack and one send→receive per receiving member.
/// </summary>
/// <param name="Name">Report name, e.g. <c>chat-send: send→ack</c>.</param>
/// <param name="Micros">Microseconds.</param>
public readonly record struct Timing(string Name, long Micros);
