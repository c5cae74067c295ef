namespace Fleet.Nats.Internal;

/// <summary>The operations a NATS server sends.</summary>
internal enum ServerOp
{
    Info,
    Msg,
    HMsg,
    Ping,
    Pong,
    Ok,
    Err,
}
