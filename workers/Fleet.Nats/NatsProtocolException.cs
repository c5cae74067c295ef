namespace Fleet.Nats;

/// <summary>The server sent bytes that are not valid NATS protocol.</summary>
public sealed class NatsProtocolException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
