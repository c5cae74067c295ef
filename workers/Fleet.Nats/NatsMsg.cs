namespace Fleet.Nats;

/// <summary>A received message. It owns its data: the bytes were copied out of the connection's read buffer.</summary>
public readonly struct NatsMsg
{
    internal NatsMsg(string subject, string? replyTo, NatsHeaders? headers, ReadOnlyMemory<byte> data, NatsConnection connection)
    {
        Subject = subject;
        ReplyTo = replyTo;
        Headers = headers;
        Data = data;
        Connection = connection;
    }

    /// <summary>The subject the message was published to.</summary>
    public string Subject { get; }

    /// <summary>The subject a reply should go to, or null.</summary>
    public string? ReplyTo { get; }

    /// <summary>The headers, or null when the message was sent with PUB rather than HPUB.</summary>
    public NatsHeaders? Headers { get; }

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The connection the message arrived on.</summary>
    public NatsConnection Connection { get; }

    /// <summary>Publishes a reply to <see cref="ReplyTo"/> on the connection the message arrived on.</summary>
    /// <exception cref="InvalidOperationException">The message has no reply subject.</exception>
    public ValueTask ReplyAsync(ReadOnlyMemory<byte> data, NatsHeaders? headers = null, CancellationToken cancellationToken = default)
    {
        if (ReplyTo is null)
        {
            throw new InvalidOperationException($"The message on '{Subject}' has no reply subject to answer.");
        }

        return Connection.PublishAsync(ReplyTo, data, headers, replyTo: null, cancellationToken);
    }
}
