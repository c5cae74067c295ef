using System.Collections.Concurrent;
using System.Globalization;
using Fleet.Nats.Commands;
using Fleet.Nats.Internal;

namespace Fleet.Nats;

public sealed partial class NatsConnection
{
    // Every request shares one wildcard inbox subscription; the last token of the reply subject finds the caller.
    private readonly ConcurrentDictionary<string, TaskCompletionSource<NatsMsg>> _requests = new(StringComparer.Ordinal);
    private readonly Lock _inboxLock = new();
    private Task<string>? _inboxTask;
    private string _inboxPrefix = string.Empty;
    private long _inboxSid;
    private long _nextRequest;

    /// <summary>
    /// Publishes a request and waits for the first reply, through the connection's shared inbox subscription.
    /// </summary>
    /// <exception cref="NatsTimeoutException">No reply within <paramref name="timeout"/> (default <see cref="NatsOptions.RequestTimeout"/>).</exception>
    /// <exception cref="NatsNoRespondersException">Nobody is subscribed to <paramref name="subject"/> (status 503).</exception>
    public async Task<NatsMsg> RequestAsync(
        string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!_connectedOnce)
        {
            throw new InvalidOperationException("Call ConnectAsync before sending requests.");
        }

        var prefix = await EnsureInboxAsync(cancellationToken);
        var token = Interlocked.Increment(ref _nextRequest).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<NatsMsg>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[token] = reply;
        try
        {
            await PublishAsync(subject, data, headers, prefix + token, cancellationToken);
            var wait = timeout ?? _options.RequestTimeout;
            NatsMsg msg;
            try
            {
                msg = await reply.Task.WaitAsync(wait, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                throw new NatsTimeoutException($"No reply to the request on '{subject}' within {wait}.", ex);
            }

            if (msg.Headers?.StatusCode == 503)
            {
                throw new NatsNoRespondersException($"No responders are subscribed to '{subject}'.");
            }

            return msg;
        }
        finally
        {
            _requests.TryRemove(token, out _);
        }
    }

    private async Task<string> EnsureInboxAsync(CancellationToken cancellationToken)
    {
        Task<string> task;
        lock (_inboxLock)
        {
            task = _inboxTask ??= CreateInboxAsync();
        }

        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch when (task.IsFaulted)
        {
            lock (_inboxLock)
            {
                if (_inboxTask == task)
                {
                    _inboxTask = null;
                }
            }

            throw;
        }
    }

    private async Task<string> CreateInboxAsync()
    {
        var prefix = NewInbox() + ".";
        var sid = Interlocked.Increment(ref _nextSid);
        _inboxPrefix = prefix;
        Volatile.Write(ref _inboxSid, sid);
        await WriteControlAsync(
            (prefix, sid),
            static (writer, s) => ProtocolWriter.WriteSubscribe(writer, s.prefix + "*", null, s.sid),
            null,
            CancellationToken.None);
        return prefix;
    }

    private void DispatchReply(ServerFrame frame)
    {
        var subject = frame.Subject!;
        if (!subject.StartsWith(_inboxPrefix, StringComparison.Ordinal)
            || !_requests.TryRemove(subject[_inboxPrefix.Length..], out var reply))
        {
            // A late reply to a request that already timed out, or a second reply: only the first one counts.
            return;
        }

        reply.TrySetResult(CreateMsg(frame));
    }

    private void FailRequests(Exception error)
    {
        foreach (var token in _requests.Keys)
        {
            if (_requests.TryRemove(token, out var reply))
            {
                reply.TrySetException(error);
            }
        }
    }
}
