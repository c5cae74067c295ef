using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>How fast a consumer replays stored messages (<c>replay_policy</c>).</summary>
public enum NatsJSReplayPolicy
{
    /// <summary>As fast as the client takes them. The server's default.</summary>
    [JsonStringEnumMemberName("instant")]
    Instant = 0,

    /// <summary>At the pace they were originally published.</summary>
    [JsonStringEnumMemberName("original")]
    Original,
}
