namespace Fleet.Nats.JetStream;

public sealed partial class NatsJSContext
{
    /// <summary>The header a stream de-duplicates on within its duplicate window.</summary>
    public const string MsgIdHeader = "Nats-Msg-Id";

    /// <summary>
    /// Publishes a message and waits until a stream has stored it. With a <paramref name="msgId"/>, a retry
    /// of the same message within the stream's duplicate window is stored once: the second answer has
    /// <see cref="NatsJSPubAck.Duplicate"/> set and the original sequence. That is what makes an outbox
    /// relay safe to retry after a crash or timeout.
    /// </summary>
    /// <param name="subject">The subject; a stream must capture it.</param>
    /// <param name="data">The payload.</param>
    /// <param name="msgId">The de-duplication id (<c>Nats-Msg-Id</c>), for example the outbox row id.</param>
    /// <param name="headers">Extra headers; they are copied, never changed.</param>
    /// <param name="cancellationToken">Cancels the wait for the stream's answer.</param>
    /// <returns>The stream's acknowledgement.</returns>
    /// <exception cref="NatsJSNoStreamException">No stream captures <paramref name="subject"/>; nothing was stored.</exception>
    /// <exception cref="NatsJSApiException">The stream refused the message (limits, expectations…).</exception>
    /// <exception cref="NatsTimeoutException">
    /// No answer in time. The message may or may not be stored: retry with the same <paramref name="msgId"/>.
    /// </exception>
    public async Task<NatsJSPubAck> PublishAsync(
        string subject,
        ReadOnlyMemory<byte> data,
        string? msgId = null,
        NatsHeaders? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        if (msgId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(msgId);
            headers = WithMsgId(headers, msgId);
        }

        NatsMsg reply;
        try
        {
            reply = await _connection.RequestAsync(subject, data, headers, timeout: null, cancellationToken);
        }
        catch (NatsNoRespondersException ex)
        {
            throw NatsJSNoStreamException.ForSubject(subject, ex);
        }

        if (reply.Headers?.StatusCode is 503)
        {
            throw NatsJSNoStreamException.ForSubject(subject, new NatsNoRespondersException($"No responders on {subject}."));
        }

        return NatsJSApiResponse.Parse(reply.Data.Span, NatsJSJsonContext.Default.NatsJSPubAck);
    }

    private static NatsHeaders WithMsgId(NatsHeaders? headers, string msgId)
    {
        var copy = new NatsHeaders();
        if (headers is not null)
        {
            foreach (var (name, values) in headers)
            {
                foreach (var value in values)
                {
                    copy.Add(name, value);
                }
            }
        }

        // The indexer replaces: a Nats-Msg-Id among the caller's headers must not be sent twice.
        copy[MsgIdHeader] = msgId;
        return copy;
    }
}
