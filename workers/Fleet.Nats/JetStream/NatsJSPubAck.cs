namespace Fleet.Nats.JetStream;

/// <summary>The stream's confirmation that it stored a published message.</summary>
public sealed record NatsJSPubAck
{
    /// <summary>The stream that stored the message (<c>stream</c>).</summary>
    public string Stream { get; init; } = string.Empty;

    /// <summary>
    /// The message's stream sequence (<c>seq</c>). For a duplicate, the sequence the original was stored
    /// under.
    /// </summary>
    public ulong Seq { get; init; }

    /// <summary>
    /// True when the stream had already stored a message with the same <c>Nats-Msg-Id</c> within its
    /// duplicate window and dropped this one (<c>duplicate</c>).
    /// </summary>
    public bool Duplicate { get; init; }

    /// <summary>The JetStream domain of the stream (<c>domain</c>), if the server runs in one.</summary>
    public string? Domain { get; init; }
}
