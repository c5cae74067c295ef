namespace Fleet.Nats;

/// <summary>What a subscription does when its channel is full and another message arrives.</summary>
public enum NatsSlowConsumerPolicy
{
    /// <summary>
    /// Drop the arriving message, count it in <see cref="NatsSubscription.DroppedMessages"/> and log "slow consumer"
    /// once per burst. The default, as in the official NATS clients: one slow subscription never stalls the others.
    /// </summary>
    DropNewest,

    /// <summary>
    /// Wait for room in the channel. This stalls the connection's read loop, so every other subscription on the
    /// connection waits too, and the server may eventually cut the client off as a slow consumer.
    /// </summary>
    Wait,
}
