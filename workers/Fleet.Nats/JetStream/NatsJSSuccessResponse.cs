namespace Fleet.Nats.JetStream;

/// <summary>The answer to a delete request: <c>{"success":true}</c>.</summary>
internal sealed record NatsJSSuccessResponse
{
    public bool Success { get; init; }
}
