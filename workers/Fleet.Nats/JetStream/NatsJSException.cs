namespace Fleet.Nats.JetStream;

/// <summary>A JetStream operation failed: the base of every JetStream-specific error.</summary>
public class NatsJSException : NatsException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NatsJSException()
        : base("A JetStream operation failed.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NatsJSException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public NatsJSException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
