using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>
/// A consumer's configuration as the JetStream API reads and writes it. The defaults describe what Fleet
/// uses everywhere: a durable pull consumer with explicit acknowledgement. A property left at its
/// default value is not sent, and the server applies its own default.
/// </summary>
public sealed record NatsJSConsumerConfig
{
    /// <summary>Creates an empty configuration (for deserialization); set <see cref="DurableName"/> before use.</summary>
    public NatsJSConsumerConfig()
    {
    }

    /// <summary>Creates the configuration of a durable pull consumer named <paramref name="durableName"/>.</summary>
    /// <param name="durableName">The consumer name: no dots, wildcards or whitespace.</param>
    public NatsJSConsumerConfig(string durableName)
    {
        DurableName = durableName;
    }

    /// <summary>The durable name (<c>durable_name</c>): the consumer survives clients that come and go.</summary>
    public string? DurableName { get; init; }

    /// <summary>The consumer name (<c>name</c>); the server sets it to the durable name when left empty.</summary>
    public string? Name { get; init; }

    /// <summary>A free-text description (<c>description</c>).</summary>
    public string? Description { get; init; }

    /// <summary>Deliver only messages whose subject matches (<c>filter_subject</c>); wildcards allowed.</summary>
    public string? FilterSubject { get; init; }

    /// <summary>Where in the stream the consumer starts (<c>deliver_policy</c>).</summary>
    public NatsJSDeliverPolicy DeliverPolicy { get; init; }

    /// <summary>The first stream sequence delivered when <see cref="DeliverPolicy"/> is by start sequence (<c>opt_start_seq</c>).</summary>
    public ulong OptStartSeq { get; init; }

    /// <summary>The first publish time delivered when <see cref="DeliverPolicy"/> is by start time (<c>opt_start_time</c>).</summary>
    public DateTimeOffset? OptStartTime { get; init; }

    /// <summary>How messages are acknowledged (<c>ack_policy</c>); explicit unless changed.</summary>
    public NatsJSAckPolicy AckPolicy { get; init; } = NatsJSAckPolicy.Explicit;

    /// <summary>
    /// How long the server waits for an acknowledgement before it redelivers (<c>ack_wait</c>); zero means
    /// the server default of 30 seconds.
    /// </summary>
    [JsonConverter(typeof(NatsJSNanosecondsConverter))]
    public TimeSpan AckWait { get; init; }

    /// <summary>Most delivery attempts per message (<c>max_deliver</c>); -1 or 0 for no limit.</summary>
    public int MaxDeliver { get; init; }

    /// <summary>How fast stored messages are replayed (<c>replay_policy</c>).</summary>
    public NatsJSReplayPolicy ReplayPolicy { get; init; }

    /// <summary>Most delivered but unacknowledged messages at once (<c>max_ack_pending</c>); 0 for the server default.</summary>
    public int MaxAckPending { get; init; }

    /// <summary>Most pull requests waiting at once (<c>max_waiting</c>); 0 for the server default of 512.</summary>
    public int MaxWaiting { get; init; }

    /// <summary>Largest batch a single pull request may ask for (<c>max_batch</c>); 0 for no limit.</summary>
    public int MaxBatch { get; init; }

    /// <summary>Remove the consumer after this long without clients (<c>inactive_threshold</c>); zero for never.</summary>
    [JsonConverter(typeof(NatsJSNanosecondsConverter))]
    public TimeSpan InactiveThreshold { get; init; }
}
