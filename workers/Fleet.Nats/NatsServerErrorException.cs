namespace Fleet.Nats;

/// <summary>The server sent -ERR.</summary>
public sealed class NatsServerErrorException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsServerErrorException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsServerErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsServerErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
