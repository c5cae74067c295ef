using System.Text.Json;

namespace Fleet.Nats;

/// <summary>What the server announced in its INFO message.</summary>
public sealed class NatsServerInfo
{
    /// <summary>The server's unique id.</summary>
    public string ServerId { get; init; } = string.Empty;

    /// <summary>The server's configured name.</summary>
    public string ServerName { get; init; } = string.Empty;

    /// <summary>The server version, such as <c>2.9.10</c>.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>The protocol version the server speaks.</summary>
    public int Protocol { get; init; }

    /// <summary>The largest payload (headers included) the server accepts, in bytes.</summary>
    public int MaxPayload { get; init; }

    /// <summary>Whether the server supports HPUB/HMSG.</summary>
    public bool HeadersSupported { get; init; }

    /// <summary>Whether JetStream is enabled on the server.</summary>
    public bool JetStream { get; init; }

    /// <summary>Whether the server requires authentication.</summary>
    public bool AuthRequired { get; init; }

    /// <summary>The id the server gave this client.</summary>
    public ulong ClientId { get; init; }

    /// <summary>Other servers of the cluster clients may connect to (<c>host:port</c>).</summary>
    public IReadOnlyList<string> ConnectUrls { get; init; } = [];

    /// <summary>Parses the JSON body of an INFO message.</summary>
    /// <exception cref="NatsProtocolException">The body is not valid JSON.</exception>
    internal static NatsServerInfo Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return new NatsServerInfo
            {
                ServerId = GetString(root, "server_id"),
                ServerName = GetString(root, "server_name"),
                Version = GetString(root, "version"),
                Protocol = root.TryGetProperty("proto", out var proto) && proto.ValueKind == JsonValueKind.Number ? proto.GetInt32() : 0,
                MaxPayload = root.TryGetProperty("max_payload", out var max) && max.ValueKind == JsonValueKind.Number ? max.GetInt32() : 1024 * 1024,
                HeadersSupported = GetBool(root, "headers"),
                JetStream = GetBool(root, "jetstream"),
                AuthRequired = GetBool(root, "auth_required"),
                ClientId = root.TryGetProperty("client_id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetUInt64() : 0,
                ConnectUrls = root.TryGetProperty("connect_urls", out var urls) && urls.ValueKind == JsonValueKind.Array
                    ? [.. urls.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.String).Select(u => u.GetString()!)]
                    : [],
            };
        }
        catch (JsonException ex)
        {
            throw new NatsProtocolException("The server sent an INFO message that is not valid JSON.", ex);
        }
    }

    private static string GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static bool GetBool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
