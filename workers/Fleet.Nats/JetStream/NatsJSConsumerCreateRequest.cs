namespace Fleet.Nats.JetStream;

/// <summary>The body of a <c>CONSUMER.CREATE</c> request.</summary>
internal sealed record NatsJSConsumerCreateRequest
{
    public required string StreamName { get; init; }

    public required NatsJSConsumerConfig Config { get; init; }
}
