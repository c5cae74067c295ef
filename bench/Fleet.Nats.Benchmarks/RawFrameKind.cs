namespace Fleet.Nats.Benchmarks;

/// <summary>The server operations the raw baseline needs to tell apart.</summary>
internal enum RawFrameKind
{
    Msg,
    Pong,
}
