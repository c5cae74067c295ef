namespace Fleet.Nats.JetStream;

/// <summary>A consumer's configuration (as the server applied it) and progress.</summary>
public sealed record NatsJSConsumerInfo
{
    /// <summary>The stream the consumer reads (<c>stream_name</c>).</summary>
    public string StreamName { get; init; } = string.Empty;

    /// <summary>The consumer name (<c>name</c>).</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>When the consumer was created (<c>created</c>).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>The configuration in effect (<c>config</c>).</summary>
    public NatsJSConsumerConfig Config { get; init; } = new();

    /// <summary>The last delivered position (<c>delivered</c>).</summary>
    public NatsJSSequenceInfo Delivered { get; init; } = new();

    /// <summary>The position below which everything is acknowledged (<c>ack_floor</c>).</summary>
    public NatsJSSequenceInfo AckFloor { get; init; } = new();

    /// <summary>Messages delivered but not yet acknowledged (<c>num_ack_pending</c>).</summary>
    public long NumAckPending { get; init; }

    /// <summary>Messages delivered more than once and not yet acknowledged (<c>num_redelivered</c>).</summary>
    public long NumRedelivered { get; init; }

    /// <summary>Pull requests waiting for messages (<c>num_waiting</c>).</summary>
    public long NumWaiting { get; init; }

    /// <summary>Messages in the stream not yet delivered to this consumer (<c>num_pending</c>).</summary>
    public ulong NumPending { get; init; }
}
