namespace Fleet.Nats;

/// <summary>The base of the errors this client raises (except <see cref="NatsTimeoutException"/>).</summary>
public class NatsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NatsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
