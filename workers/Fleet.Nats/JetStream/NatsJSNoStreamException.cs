namespace Fleet.Nats.JetStream;

/// <summary>
/// A JetStream publish reached no responder: no stream captures the subject (or JetStream is off). The
/// message was not stored anywhere, so the caller must retry or fail; it must not assume it was kept.
/// </summary>
public sealed class NatsJSNoStreamException : NatsJSException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NatsJSNoStreamException()
        : base("No stream listens on the subject.")
    {
        Subject = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NatsJSNoStreamException(string message)
        : base(message)
    {
        Subject = string.Empty;
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public NatsJSNoStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
        Subject = string.Empty;
    }

    private NatsJSNoStreamException(string subject, string message, Exception innerException)
        : base(message, innerException)
    {
        Subject = subject;
    }

    /// <summary>The subject of the publish that no stream captured; empty when unknown.</summary>
    public string Subject { get; }

    internal static NatsJSNoStreamException ForSubject(string subject, Exception innerException) =>
        new(subject, $"No stream listens on subject {subject}: the message was not stored.", innerException);
}
