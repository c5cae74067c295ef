namespace Fleet.Nats;

/// <summary>
/// A request got no reply in time. It derives from <see cref="TimeoutException"/> (not <see cref="NatsException"/>)
/// so callers that already handle timeouts generically keep working.
/// </summary>
public sealed class NatsTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public NatsTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NatsTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NatsTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
