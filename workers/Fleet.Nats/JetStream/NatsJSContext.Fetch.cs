using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Fleet.Nats.JetStream;

public sealed partial class NatsJSContext
{
    // The server ends a pull request itself with a 408 when `expires` is up; the client's own deadline only
    // catches a request the server never registered or lost, so it just has to cover latency and timer slack.
    private static readonly TimeSpan FetchDeadlineMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fetches up to <paramref name="maxMessages"/> messages from a durable pull consumer with one pull
    /// request on a private inbox. The sequence ends when the batch is complete, or when the server reports
    /// that the request expired (408) or that nothing is pending (404). Messages the request brought in after the caller stopped enumerating are not lost: the
    /// server redelivers them after the consumer's ack wait.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="consumer">The durable consumer.</param>
    /// <param name="maxMessages">
    /// Most messages to fetch (the pull request's batch), capped at the connection's
    /// <see cref="NatsOptions.SubscriptionCapacity"/>.
    /// </param>
    /// <param name="expires">
    /// How long the server waits for messages; <see cref="TimeSpan.Zero"/> asks it to answer at once with
    /// what is pending.
    /// </param>
    /// <param name="cancellationToken">Ends the fetch early.</param>
    /// <returns>The messages, each to be acknowledged.</returns>
    /// <exception cref="NatsJSApiException">The server ended the request with a 409 (consumer deleted, too many waiting requests…).</exception>
    /// <exception cref="NatsTimeoutException">
    /// The server did not end the request in time: the consumer does not exist (the JetStream API ignores a
    /// pull for an unknown consumer), or the connection was lost meanwhile.
    /// </exception>
    public async IAsyncEnumerable<NatsJSMsg> FetchAsync(
        string stream,
        string consumer,
        int maxMessages,
        TimeSpan expires,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        ValidateName(consumer, nameof(consumer), "consumer");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        ArgumentOutOfRangeException.ThrowIfLessThan(expires, TimeSpan.Zero);

        // The inbox subscription holds at most SubscriptionCapacity messages and (with the default policy)
        // drops the rest, a closing 408 included; so one pull never asks for more than fits. A full batch
        // gets no status after it and a partial one at most one, so the batch itself fits with its status.
        // The caller gets "up to maxMessages" as promised and simply fetches again.
        var batch = Math.Min(maxMessages, Math.Max(1, _connection.Options.SubscriptionCapacity));
        var inbox = _connection.NewInbox();
        await using var subscription = await _connection.SubscribeAsync(inbox, queueGroup: null, maxMessages: null, cancellationToken);
        var request = new NatsJSPullRequest { Batch = batch, Expires = expires, NoWait = expires == TimeSpan.Zero };
        var requestSubject = $"{ApiPrefix}.CONSUMER.MSG.NEXT.{stream}.{consumer}";
        await _connection.PublishAsync(
            requestSubject,
            JsonSerializer.SerializeToUtf8Bytes(request, NatsJSJsonContext.Default.NatsJSPullRequest),
            headers: null,
            replyTo: inbox,
            cancellationToken);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(expires + FetchDeadlineMargin);
        var received = 0;
        while (received < batch)
        {
            var msg = await ReadNextAsync(subscription, requestSubject, expires, deadline.Token, cancellationToken);

            if (msg.Headers?.StatusCode is { } status)
            {
                if (IsEndOfPull(status, msg.Headers.StatusDescription, stream, consumer))
                {
                    yield break;
                }

                continue;
            }

            if (!NatsJSMsgMetadata.TryParse(msg.ReplyTo, out var metadata))
            {
                throw new NatsJSException(
                    $"A message on {msg.Subject} answered the pull request to {requestSubject} without a JetStream ack subject (reply '{msg.ReplyTo}').");
            }

            received++;
            yield return new NatsJSMsg(_connection, msg, metadata);
        }
    }

    private static async ValueTask<NatsMsg> ReadNextAsync(
        NatsSubscription subscription, string requestSubject, TimeSpan expires, CancellationToken deadline, CancellationToken cancellationToken)
    {
        // What already arrived is handed out whatever the deadline: the deadline measures the server, and a
        // caller that takes its time with each message must not turn its own slowness into a timeout.
        if (subscription.Msgs.TryRead(out var buffered))
        {
            return buffered;
        }

        try
        {
            return await subscription.Msgs.ReadAsync(deadline);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The server answers every registered pull request by its expiry (a 408), so silence means the
            // request never registered: the JetStream API swallows a pull for a consumer that does not exist,
            // and a reconnect loses the request. Ending "empty" would hide both from a polling worker.
            throw new NatsTimeoutException(
                $"The server did not end the pull request on {requestSubject} within {expires + FetchDeadlineMargin}: the consumer may not exist, or the connection was lost.",
                ex);
        }
        catch (ChannelClosedException ex)
        {
            throw new NatsJSException("The subscription of the pull request closed (connection closed?) before the fetch ended.", ex);
        }
    }

    /// <summary>True when a status message ends the pull; false for one to skip; throws for a failure.</summary>
    private static bool IsEndOfPull(int status, string? description, string stream, string consumer) => status switch
    {
        // 404 No Messages (no_wait) and 408 Request Timeout (expires reached): a normal end.
        404 or 408 => true,

        // 100 Idle Heartbeat / flow control: only sent when asked for; nothing to hand to the caller.
        100 => false,

        // 409: Consumer Deleted, Exceeded MaxWaiting, Exceeded MaxRequestBatch, Leadership Change…
        // the request is over and the caller must know why.
        409 => throw new NatsJSApiException(new NatsJSApiError { Code = status, Description = description ?? "Conflict" }),

        503 => throw new NatsJSException(
            $"No responder for the pull request: consumer {consumer} does not exist on stream {stream}, or JetStream is not enabled."),

        _ => throw new NatsJSApiException(new NatsJSApiError { Code = status, Description = description ?? "Unexpected status" }),
    };
}
