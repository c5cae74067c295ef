using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>How a consumer expects its messages to be acknowledged (<c>ack_policy</c>).</summary>
public enum NatsJSAckPolicy
{
    /// <summary>No acknowledgement; a delivered message counts as done. The server's zero value.</summary>
    [JsonStringEnumMemberName("none")]
    None = 0,

    /// <summary>Acknowledging a message also acknowledges every message delivered before it.</summary>
    [JsonStringEnumMemberName("all")]
    All,

    /// <summary>Every message must be acknowledged on its own; unacknowledged ones are redelivered after the ack wait.</summary>
    [JsonStringEnumMemberName("explicit")]
    Explicit,
}
