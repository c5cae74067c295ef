namespace Fleet.Nats.JetStream;

/// <summary>A stream's configuration (as the server applied it, defaults filled in) and state.</summary>
public sealed record NatsJSStreamInfo
{
    /// <summary>The configuration in effect (<c>config</c>).</summary>
    public NatsJSStreamConfig Config { get; init; } = new();

    /// <summary>When the stream was created (<c>created</c>).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>What the stream holds (<c>state</c>).</summary>
    public NatsJSStreamState State { get; init; } = new();
}
