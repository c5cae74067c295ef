using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Fleet.Nats;

/// <summary>
/// A subscription to a subject. Messages arrive through a bounded channel of
/// <see cref="NatsOptions.SubscriptionCapacity"/>; when it is full, <see cref="NatsOptions.SlowConsumerPolicy"/> applies.
/// Unsubscribing (or reaching the auto-unsubscribe count) completes the channel after the messages already queued.
/// </summary>
public sealed class NatsSubscription : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly Channel<NatsMsg> _channel;
    private readonly NatsSlowConsumerPolicy _policy;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private long _dropped;
    private long _received;
    private int _inSlowBurst;
    private int _unsubscribed;

    internal NatsSubscription(
        NatsConnection connection, long sid, string subject, string? queueGroup, int? maxMessages, NatsOptions options, ILogger logger)
    {
        _connection = connection;
        Sid = sid;
        Subject = subject;
        QueueGroup = queueGroup;
        MaxMessages = maxMessages;
        _policy = options.SlowConsumerPolicy;
        _capacity = options.SubscriptionCapacity;
        _logger = logger;

        // FullMode Wait with TryWrite gives DropNewest-and-count: TryWrite fails instead of evicting a queued message.
        _channel = Channel.CreateBounded<NatsMsg>(new BoundedChannelOptions(options.SubscriptionCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = true,
        });
    }

    /// <summary>The subject (may contain wildcards).</summary>
    public string Subject { get; }

    /// <summary>The queue group, or null.</summary>
    public string? QueueGroup { get; }

    /// <summary>The received messages; completed when the subscription ends.</summary>
    public ChannelReader<NatsMsg> Msgs => _channel.Reader;

    /// <summary>How many messages were dropped because the channel was full (<see cref="NatsSlowConsumerPolicy.DropNewest"/>).</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    internal long Sid { get; }

    internal int? MaxMessages { get; }

    /// <summary>How many messages the server has delivered, dropped ones included: the server counts those too.</summary>
    internal long Received => Interlocked.Read(ref _received);

    internal bool IsUnsubscribed => Volatile.Read(ref _unsubscribed) != 0;

    /// <summary>Reads every message until the subscription ends.</summary>
    public IAsyncEnumerable<NatsMsg> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Tells the server to stop delivering and completes the channel after the messages already queued.</summary>
    public ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default) =>
        EndAsync(static (connection, subscription, token) => connection.UnsubscribeAsync(subscription, token), cancellationToken);

    /// <summary>
    /// Stops delivery without losing what the server already sent: UNSUB, then a PING round trip (the server answers it
    /// only after every message it sent before the UNSUB), then the channel completes after the messages queued. For a
    /// queue-group member leaving the group: UnsubscribeAsync drops messages still on their way from the server.
    /// </summary>
    public ValueTask DrainAsync(CancellationToken cancellationToken = default) =>
        EndAsync(static (connection, subscription, token) => connection.DrainSubscriptionAsync(subscription, token), cancellationToken);

    /// <summary>Unsubscribes.</summary>
    public ValueTask DisposeAsync() => UnsubscribeAsync();

    private async ValueTask EndAsync(
        Func<NatsConnection, NatsSubscription, CancellationToken, ValueTask> tellServer, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _unsubscribed, 1) != 0)
        {
            return;
        }

        try
        {
            await tellServer(_connection, this, cancellationToken);
        }
        finally
        {
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Marks the subscription ended without writing UNSUB (drain sends its own, connection close needs none).</summary>
    internal bool MarkUnsubscribed() => Interlocked.Exchange(ref _unsubscribed, 1) == 0;

    internal void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Waits until a reader has taken every queued message of a completed channel.</summary>
    internal Task WaitUntilConsumedAsync(CancellationToken cancellationToken) =>
        _channel.Reader.Completion.WaitAsync(cancellationToken);

    /// <summary>Queues a message. Called only from the connection's read loop, so one writer at a time.</summary>
    /// <returns>True when this message reached the auto-unsubscribe count and the subscription is over.</returns>
    internal async ValueTask<bool> DeliverAsync(NatsMsg msg, CancellationToken cancellationToken)
    {
        if (MaxMessages is { } max && Received >= max)
        {
            return true;
        }

        var received = Interlocked.Increment(ref _received);
        var last = MaxMessages is { } limit && received >= limit;
        if (_policy == NatsSlowConsumerPolicy.Wait)
        {
            try
            {
                await _channel.Writer.WriteAsync(msg, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                // Unsubscribed while the message was in flight: nobody wants it any more.
            }
        }
        else if (_channel.Writer.TryWrite(msg))
        {
            Volatile.Write(ref _inSlowBurst, 0);
        }
        else if (!IsUnsubscribed)
        {
            Interlocked.Increment(ref _dropped);
            if (Interlocked.Exchange(ref _inSlowBurst, 1) == 0)
            {
                // Once per burst: a consumer that falls behind would otherwise log once per dropped message.
                _logger.LogWarning(
                    "Slow consumer on {Subject} (sid {Sid}): its channel of {Capacity} is full, dropping messages",
                    Subject, Sid, _capacity);
            }
        }

        return last;
    }
}
