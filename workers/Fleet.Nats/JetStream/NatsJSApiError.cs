using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>The <c>error</c> object of a JetStream API response.</summary>
public sealed record NatsJSApiError
{
    /// <summary>An HTTP-like status (<c>code</c>): 400 bad request, 404 not found, 503 unavailable…</summary>
    public int Code { get; init; }

    /// <summary>
    /// The precise JetStream error (<c>err_code</c>), for example 10058 "stream name already in use with a
    /// different configuration" or 10059 "stream not found".
    /// </summary>
    [JsonPropertyName("err_code")]
    public int ErrorCode { get; init; }

    /// <summary>The server's description (<c>description</c>).</summary>
    public string Description { get; init; } = string.Empty;
}
