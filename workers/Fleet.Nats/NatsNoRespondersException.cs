namespace Fleet.Nats;

/// <summary>No responders are listening on the request subject (status 503).</summary>
public sealed class NatsNoRespondersException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsNoRespondersException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsNoRespondersException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsNoRespondersException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
