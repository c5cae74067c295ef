namespace Fleet.Nats;

/// <summary>The lifecycle state of a <see cref="NatsConnection"/>.</summary>
public enum NatsConnectionState
{
    /// <summary>Not connected: never connected, disposed, or out of reconnect attempts.</summary>
    Closed,

    /// <summary>The first connection is being established.</summary>
    Connecting,

    /// <summary>Connected and handshaken; writes go to the socket.</summary>
    Connected,

    /// <summary>The connection was lost; publishes are buffered up to <see cref="NatsOptions.ReconnectBufferBytes"/>.</summary>
    Reconnecting,
}
