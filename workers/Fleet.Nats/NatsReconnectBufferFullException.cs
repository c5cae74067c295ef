namespace Fleet.Nats;

/// <summary>The reconnect buffer is full; the publish was rejected.</summary>
public sealed class NatsReconnectBufferFullException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsReconnectBufferFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsReconnectBufferFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsReconnectBufferFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
