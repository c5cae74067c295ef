namespace Fleet.Api.Pipeline;

/// <summary>
/// A request as both transports deliver it: parameters (route and query alike), a few headers, the raw body.
/// The HTTP and NATS adapters only fill this in; everything else happens in <see cref="ApiDispatcher"/>.
/// </summary>
internal sealed class ApiRequest
{
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public string? Authorization { get; init; }

    public string? IdempotencyKey { get; init; }

    public string? ContentType { get; init; }

    public required string RequestId { get; init; }

    /// <summary>The body bytes, or null when the body exceeded the limit while being read.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }
}
