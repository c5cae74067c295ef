namespace Fleet.Nats.JetStream;

/// <summary>What a stream holds right now (<c>state</c> in a stream info response).</summary>
public sealed record NatsJSStreamState
{
    /// <summary>Messages stored (<c>messages</c>).</summary>
    public ulong Messages { get; init; }

    /// <summary>Bytes stored (<c>bytes</c>).</summary>
    public ulong Bytes { get; init; }

    /// <summary>Sequence of the oldest stored message (<c>first_seq</c>).</summary>
    public ulong FirstSeq { get; init; }

    /// <summary>Time of the oldest stored message (<c>first_ts</c>).</summary>
    public DateTimeOffset FirstTs { get; init; }

    /// <summary>Sequence of the newest stored message (<c>last_seq</c>).</summary>
    public ulong LastSeq { get; init; }

    /// <summary>Time of the newest stored message (<c>last_ts</c>).</summary>
    public DateTimeOffset LastTs { get; init; }

    /// <summary>Consumers defined on the stream (<c>consumer_count</c>).</summary>
    public int ConsumerCount { get; init; }
}
