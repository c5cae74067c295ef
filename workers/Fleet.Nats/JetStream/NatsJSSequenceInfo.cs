namespace Fleet.Nats.JetStream;

/// <summary>A position of a consumer: the pair of sequences and when it last moved.</summary>
public sealed record NatsJSSequenceInfo
{
    /// <summary>The consumer's own sequence (<c>consumer_seq</c>), counting deliveries.</summary>
    public ulong ConsumerSeq { get; init; }

    /// <summary>The stream sequence at this position (<c>stream_seq</c>).</summary>
    public ulong StreamSeq { get; init; }

    /// <summary>When this position last moved (<c>last_active</c>), if ever.</summary>
    public DateTimeOffset? LastActive { get; init; }
}
