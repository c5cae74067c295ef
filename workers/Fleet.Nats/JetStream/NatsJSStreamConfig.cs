using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>
/// A stream's configuration as the JetStream API reads and writes it. A property left at its default
/// (0, <see cref="TimeSpan.Zero"/>, <c>false</c>, the enum's first value) is not sent, and the server
/// applies its own default (for example unlimited messages, a two-minute duplicate window).
/// </summary>
public sealed record NatsJSStreamConfig
{
    /// <summary>Creates an empty configuration (for deserialization); set <see cref="Name"/> before use.</summary>
    public NatsJSStreamConfig()
    {
        Name = string.Empty;
    }

    /// <summary>Creates a configuration for a stream that captures <paramref name="subjects"/>.</summary>
    /// <param name="name">The stream name: no dots, wildcards or whitespace.</param>
    /// <param name="subjects">The subjects (wildcards allowed) whose messages the stream stores.</param>
    public NatsJSStreamConfig(string name, params IReadOnlyList<string> subjects)
    {
        Name = name;
        Subjects = subjects;
    }

    /// <summary>The stream name (<c>name</c>); no dots, wildcards or whitespace.</summary>
    public string Name { get; init; }

    /// <summary>A free-text description (<c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>The subjects the stream captures (<c>subjects</c>); wildcards allowed.</summary>
    public IReadOnlyList<string>? Subjects { get; init; }

    /// <summary>When stored messages may be removed (<c>retention</c>).</summary>
    public NatsJSRetentionPolicy Retention { get; init; }

    /// <summary>Where messages are kept (<c>storage</c>).</summary>
    public NatsJSStorageType Storage { get; init; }

    /// <summary>What happens when a limit is reached (<c>discard</c>).</summary>
    public NatsJSDiscardPolicy Discard { get; init; }

    /// <summary>Most consumers the stream accepts (<c>max_consumers</c>); -1 or 0 for no limit.</summary>
    public int MaxConsumers { get; init; }

    /// <summary>Most messages kept (<c>max_msgs</c>); -1 or 0 for no limit.</summary>
    public long MaxMsgs { get; init; }

    /// <summary>Most bytes kept (<c>max_bytes</c>); -1 or 0 for no limit.</summary>
    public long MaxBytes { get; init; }

    /// <summary>Oldest message kept (<c>max_age</c>); zero for no limit.</summary>
    [JsonConverter(typeof(NatsJSNanosecondsConverter))]
    public TimeSpan MaxAge { get; init; }

    /// <summary>Most messages kept per subject (<c>max_msgs_per_subject</c>); -1 or 0 for no limit.</summary>
    public long MaxMsgsPerSubject { get; init; }

    /// <summary>Largest message accepted (<c>max_msg_size</c>); -1 or 0 for the server's limit.</summary>
    public int MaxMsgSize { get; init; }

    /// <summary>Replica count in a cluster (<c>num_replicas</c>); 0 means 1.</summary>
    public int NumReplicas { get; init; }

    /// <summary>
    /// How long the stream remembers a <c>Nats-Msg-Id</c> to drop a duplicate publish (<c>duplicate_window</c>);
    /// zero means the server default of two minutes.
    /// </summary>
    [JsonConverter(typeof(NatsJSNanosecondsConverter))]
    public TimeSpan DuplicateWindow { get; init; }

    /// <summary>Refuse to delete single messages (<c>deny_delete</c>).</summary>
    public bool DenyDelete { get; init; }

    /// <summary>Refuse to purge the stream (<c>deny_purge</c>).</summary>
    public bool DenyPurge { get; init; }
}
