using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>When a stream may remove a message (<c>retention</c> in the stream configuration).</summary>
public enum NatsJSRetentionPolicy
{
    /// <summary>Keep messages until a limit (count, bytes, age) is reached. The server's default.</summary>
    [JsonStringEnumMemberName("limits")]
    Limits = 0,

    /// <summary>Keep a message while any consumer still has to acknowledge it.</summary>
    [JsonStringEnumMemberName("interest")]
    Interest,

    /// <summary>Remove a message as soon as one consumer acknowledges it.</summary>
    [JsonStringEnumMemberName("workqueue")]
    WorkQueue,
}
