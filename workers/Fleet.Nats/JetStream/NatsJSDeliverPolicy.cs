using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>Where in the stream a new consumer starts (<c>deliver_policy</c>).</summary>
public enum NatsJSDeliverPolicy
{
    /// <summary>From the first message the stream holds. The server's default.</summary>
    [JsonStringEnumMemberName("all")]
    All = 0,

    /// <summary>From the last message of the stream.</summary>
    [JsonStringEnumMemberName("last")]
    Last,

    /// <summary>Only messages published after the consumer was created.</summary>
    [JsonStringEnumMemberName("new")]
    New,

    /// <summary>From <see cref="NatsJSConsumerConfig.OptStartSeq"/>.</summary>
    [JsonStringEnumMemberName("by_start_sequence")]
    ByStartSequence,

    /// <summary>From <see cref="NatsJSConsumerConfig.OptStartTime"/>.</summary>
    [JsonStringEnumMemberName("by_start_time")]
    ByStartTime,

    /// <summary>The last message of every subject, then new ones.</summary>
    [JsonStringEnumMemberName("last_per_subject")]
    LastPerSubject,
}
