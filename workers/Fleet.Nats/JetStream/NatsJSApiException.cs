namespace Fleet.Nats.JetStream;

/// <summary>
/// The JetStream API answered with an error: an invalid configuration, a missing stream or consumer, a
/// pull request the server ended with a 409 status, and so on.
/// </summary>
public sealed class NatsJSApiException : NatsJSException
{
    /// <summary>Creates the exception with a generic message and an empty error.</summary>
    public NatsJSApiException()
        : this(new NatsJSApiError())
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and an empty error.</summary>
    public NatsJSApiException(string message)
        : base(message)
    {
        Error = new NatsJSApiError { Description = message };
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public NatsJSApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new NatsJSApiError { Description = message };
    }

    /// <summary>Creates the exception for the server's <paramref name="error"/>.</summary>
    public NatsJSApiException(NatsJSApiError error)
        : base(FormatMessage(error ?? throw new ArgumentNullException(nameof(error))))
    {
        Error = error;
    }

    /// <summary>The error object the server sent.</summary>
    public NatsJSApiError Error { get; }

    /// <summary>The HTTP-like status of the error (<c>code</c>), for example 400, 404, 409, 503.</summary>
    public int Code => Error.Code;

    /// <summary>The precise JetStream error code (<c>err_code</c>), 0 when the server sent none.</summary>
    public int ErrorCode => Error.ErrorCode;

    /// <summary>The server's description of the error.</summary>
    public string Description => Error.Description;

    private static string FormatMessage(NatsJSApiError error) =>
        $"JetStream API error {error.Code} (err_code {error.ErrorCode}): {error.Description}";
}
