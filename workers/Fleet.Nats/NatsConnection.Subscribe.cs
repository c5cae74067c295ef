using System.Buffers;
using Fleet.Nats.Commands;
using Fleet.Nats.Internal;
using Microsoft.Extensions.Logging;

namespace Fleet.Nats;

public sealed partial class NatsConnection
{
    /// <summary>
    /// Subscribes to a subject (wildcards allowed), optionally in a queue group, optionally ending by itself after
    /// <paramref name="maxMessages"/> messages (UNSUB with a max, which survives reconnects with the remaining count).
    /// </summary>
    public async Task<NatsSubscription> SubscribeAsync(
        string subject, string? queueGroup = null, int? maxMessages = null, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, nameof(subject));
        if (queueGroup is not null)
        {
            ValidateSubject(queueGroup, nameof(queueGroup));
        }

        if (maxMessages is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "The auto-unsubscribe count must be positive.");
        }

        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_disposeStarted, this);
        }

        if (!_connectedOnce)
        {
            throw new InvalidOperationException("Call ConnectAsync before subscribing.");
        }

        var sid = Interlocked.Increment(ref _nextSid);
        var subscription = new NatsSubscription(this, sid, subject, queueGroup, maxMessages, _options, _logger);
        _subscriptions[sid] = subscription;
        try
        {
            await WriteControlAsync(
                subscription,
                static (writer, s) => ProtocolWriter.WriteSubscribe(writer, s.Subject, s.QueueGroup, s.Sid)
                    + (s.MaxMessages is { } max ? ProtocolWriter.WriteUnsubscribe(writer, s.Sid, max) : 0),
                null,
                cancellationToken);
        }
        catch
        {
            _subscriptions.TryRemove(sid, out _);
            subscription.MarkUnsubscribed();
            subscription.Complete();
            throw;
        }

        return subscription;
    }

    internal async ValueTask UnsubscribeAsync(NatsSubscription subscription, CancellationToken cancellationToken)
    {
        if (!_subscriptions.TryRemove(subscription.Sid, out _))
        {
            return;
        }

        lock (_stateLock)
        {
            if (_closedError is not null)
            {
                // Nothing to tell a server we are no longer connected to.
                return;
            }
        }

        await WriteUnsubscribeAsync(subscription.Sid, cancellationToken);
    }

    /// <summary>UNSUB, keeping the subscription registered until a PONG proves the messages sent before it have arrived.</summary>
    internal async ValueTask DrainSubscriptionAsync(NatsSubscription subscription, CancellationToken cancellationToken)
    {
        if (State != NatsConnectionState.Connected)
        {
            // Reconnecting: nothing arrives until the new connection is up, and that handshake may already have
            // re-sent our SUB. The UNSUB queued here goes out on it, as after any unsubscribe.
            await UnsubscribeAsync(subscription, cancellationToken);
            return;
        }

        try
        {
            if (_subscriptions.ContainsKey(subscription.Sid))
            {
                await WriteUnsubscribeAsync(subscription.Sid, cancellationToken);
                await FlushAsync(cancellationToken);
            }
        }
        finally
        {
            _subscriptions.TryRemove(subscription.Sid, out _);
        }
    }

    /// <summary>Hands a MSG/HMSG to its subscription, or to a waiting request. Runs on the read loop only.</summary>
    private async ValueTask DispatchAsync(ServerFrame frame, CancellationToken cancellationToken)
    {
        if (frame.Sid == Volatile.Read(ref _inboxSid))
        {
            DispatchReply(frame);
            return;
        }

        if (!_subscriptions.TryGetValue(frame.Sid, out var subscription))
        {
            // A message that crossed our UNSUB on the wire.
            return;
        }

        if (await subscription.DeliverAsync(CreateMsg(frame), cancellationToken))
        {
            _subscriptions.TryRemove(subscription.Sid, out _);
            subscription.MarkUnsubscribed();
            subscription.Complete();
        }
    }

    private NatsMsg CreateMsg(ServerFrame frame)
    {
        var headers = frame.Op == ServerOp.HMsg ? NatsHeaders.Parse(frame.Headers) : null;
        var data = frame.Payload.IsEmpty ? ReadOnlyMemory<byte>.Empty : frame.Payload.ToArray();
        return new NatsMsg(frame.Subject!, frame.ReplyTo, headers, data, this);
    }

    private void OnServerError(string text)
    {
        var error = new NatsServerErrorException($"NATS server error: {text}");
        LastError = error;
        const string SubscriptionViolation = "Permissions Violation for Subscription to ";
        if (text.StartsWith(SubscriptionViolation, StringComparison.OrdinalIgnoreCase))
        {
            // Surface it where the caller is looking: the denied subscription's channel ends with this error.
            var subject = text[SubscriptionViolation.Length..].Trim().Trim('"');
            foreach (var subscription in _subscriptions.Values.Where(s => s.Subject == subject))
            {
                _subscriptions.TryRemove(subscription.Sid, out _);
                subscription.MarkUnsubscribed();
                subscription.Complete(error);
            }
        }

        if (text.StartsWith("Permissions Violation", StringComparison.OrdinalIgnoreCase))
        {
            _logger.LogWarning("NATS permissions violation: {ServerError}", text);
        }
        else
        {
            _logger.LogError("NATS server error: {ServerError}", text);
        }

        try
        {
            ServerError?.Invoke(this, error);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A NATS ServerError handler threw");
        }
    }
}
