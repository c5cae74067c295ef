using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>What a stream does when a limit is reached (<c>discard</c> in the stream configuration).</summary>
public enum NatsJSDiscardPolicy
{
    /// <summary>Remove the oldest messages to make room. The server's default.</summary>
    [JsonStringEnumMemberName("old")]
    Old = 0,

    /// <summary>Refuse new messages.</summary>
    [JsonStringEnumMemberName("new")]
    New,
}
