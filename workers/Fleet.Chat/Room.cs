using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Fleet.Contracts;
using Fleet.Nats;
using Microsoft.Extensions.Logging;

namespace Fleet.Chat;

/// <summary>
/// One room on this instance. A single loop owns all its state (members, delivery cursor, presence), so
/// messages reach local members strictly in offset order: an offset that arrives early makes the loop read the
/// missing ones from MySQL first (they are committed: offsets are allocated under the room row's lock), and an
/// offset already delivered is dropped. Each member also has its own cursor, so a joiner that got a message in
/// its history page never gets it again live.
/// </summary>
internal sealed partial class Room
{
    // Bounds a join's wait for the NATS round trip that proves the subscription is registered.
    private static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(5);

    private readonly string _id;
    private readonly RoomHub _hub;
    private readonly ILogger _logger;
    private readonly Channel<RoomEvent> _events = Channel.CreateUnbounded<RoomEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ChatConnection, Member> _members = [];
    private readonly Dictionary<string, RemoteInstance> _remote = new(StringComparer.Ordinal);
    private SortedSet<string> _announced = new(StringComparer.Ordinal);
    private NatsSubscription? _messages;
    private NatsSubscription? _presence;
    private bool _initialized;
    private long _nextExpected;
    private string _epoch = string.Empty;

    public Room(string id, RoomHub hub, ILogger logger)
    {
        _id = id;
        _hub = hub;
        _logger = logger;
        _ = Task.Run(RunAsync);
    }

    /// <summary>Joins in progress plus members; guarded by the hub's lock.</summary>
    public int Reservations { get; set; }

    public void Post(RoomEvent roomEvent) => _events.Writer.TryWrite(roomEvent);

    public async Task JoinAsync(ChatConnection connection, long? lastOffset, string? epoch, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new RoomEvent.Join(connection, lastOffset, epoch, done));
        await done.Task.WaitAsync(cancellationToken);
    }

    public Task LeaveAsync(ChatConnection connection, bool retire)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new RoomEvent.Leave(connection, retire, done));
        return done.Task;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a stored message of {RoomId} to NATS failed: {Error}")]
    public static partial void LogPublishFailed(ILogger logger, string roomId, string error);

    private async Task RunAsync()
    {
        await foreach (var roomEvent in _events.Reader.ReadAllAsync())
        {
            try
            {
                switch (roomEvent)
                {
                    case RoomEvent.Join join:
                        await HandleJoinAsync(join);
                        break;
                    case RoomEvent.Leave leave:
                        _members.Remove(leave.Connection);
                        if (leave.Retire)
                        {
                            await RetireAsync();
                            leave.Done.TrySetResult();
                            return;
                        }

                        await PublishPresenceAsync(hello: false);
                        Recompute(null);
                        leave.Done.TrySetResult();
                        break;
                    case RoomEvent.Deliver deliver:
                        await DeliverAsync(deliver);
                        break;
                    case RoomEvent.Presence presence:
                        await HandlePresenceAsync(presence);
                        break;
                    case RoomEvent.Heartbeat:
                        await PublishPresenceAsync(hello: false);
                        ExpireSilentInstances();
                        Recompute(null);
                        break;
                }
            }
#pragma warning disable CA1031 // One failed event must not end the room's loop; the failure is logged and the next event runs.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogEventFailed(_logger, ex, _id, roomEvent.GetType().Name);
                if (roomEvent is RoomEvent.Leave leave)
                {
                    leave.Done.TrySetResult();
                }
            }
        }
    }

    private async Task HandleJoinAsync(RoomEvent.Join join)
    {
        try
        {
            var options = _hub.Options;
            var first = !_initialized;
            if (first)
            {
                await InitializeAsync();
            }

            using var timeout = new CancellationTokenSource(SubscribeTimeout);
            var head = await _hub.Store.GetHeadAsync(_id, timeout.Token);
            _epoch = head.Epoch;
            var latest = head.NextOffset - 1;
            bool? recovered = null;
            IReadOnlyList<ChatMessage> messages;
            if (join.LastOffset is { } last && join.Epoch == head.Epoch && last >= 0 && last <= latest && latest - last <= options.RecoveryCap)
            {
                messages = await _hub.Store.ReadRangeAsync(_id, last + 1, head.NextOffset, timeout.Token);
                recovered = true;
            }
            else
            {
                messages = await _hub.Store.ReadPageAsync(_id, head.NextOffset, options.HistoryPageSize, timeout.Token);
                recovered = join.LastOffset is null ? null : false;
            }

            join.Connection.Enqueue(ServerFrames.History(_id, head.Epoch, "join", recovered, latest, messages));
            _members[join.Connection] = new Member { LastSent = latest };
            join.Done.TrySetResult();
            await PublishPresenceAsync(hello: first);
            Recompute(join.Connection);
        }
        catch (Exception ex)
        {
            join.Done.TrySetException(ex);
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var nats = _hub.Nats;
        try
        {
            _messages = await nats.SubscribeAsync(ChatSubjects.Room(_hub.Region, _id));
            _presence = await nats.SubscribeAsync(ChatSubjects.Presence(_hub.Region, _id));

            // After this round trip the server routes every later publish to us; only then is the head read,
            // so each message is either in the head's history or arrives here.
            using var timeout = new CancellationTokenSource(SubscribeTimeout);
            await nats.FlushAsync(timeout.Token);
            var head = await _hub.Store.GetHeadAsync(_id, timeout.Token);
            _nextExpected = head.NextOffset;
            _epoch = head.Epoch;
        }
        catch
        {
            await UnsubscribeAsync();
            throw;
        }

        _ = PumpMessagesAsync(_messages);
        _ = PumpPresenceAsync(_presence);
        _initialized = true;
    }

    private async Task DeliverAsync(RoomEvent.Deliver deliver)
    {
        if (!_initialized || deliver.Offset < _nextExpected)
        {
            return;
        }

        if (deliver.Offset > _nextExpected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(SubscribeTimeout);
                foreach (var missed in await _hub.Store.ReadRangeAsync(_id, _nextExpected, deliver.Offset, timeout.Token))
                {
                    Send(missed.Offset, ServerFrames.Message(missed, _epoch));
                }
            }
#pragma warning disable CA1031 // Without MySQL the gap cannot be filled; clients see the jump in offsets and can ask for history.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogGapFillFailed(_logger, _id, _nextExpected, deliver.Offset, ex.Message);
            }
        }

        Send(deliver.Offset, deliver.Frame);
        _nextExpected = deliver.Offset + 1;
    }

    private void Send(long offset, byte[] frame)
    {
        foreach (var (connection, member) in _members)
        {
            if (offset > member.LastSent)
            {
                member.LastSent = offset;
                connection.Enqueue(frame);
            }
        }
    }

    private async Task HandlePresenceAsync(RoomEvent.Presence presence)
    {
        if (presence.InstanceId == _hub.PresenceId)
        {
            return;
        }

        if (presence.Users.Count == 0)
        {
            _remote.Remove(presence.InstanceId);
        }
        else
        {
            _remote[presence.InstanceId] = new RemoteInstance(presence.Users, Environment.TickCount64);
        }

        if (presence.Hello && _members.Count > 0)
        {
            await PublishPresenceAsync(hello: false);
        }

        Recompute(null);
    }

    private void ExpireSilentInstances()
    {
        var limit = (long)(_hub.Options.PresenceInterval.TotalMilliseconds * _hub.Options.PresenceMissedHeartbeats);
        var now = Environment.TickCount64;
        foreach (var (instance, state) in _remote.ToList())
        {
            if (now - state.LastSeen > limit)
            {
                _remote.Remove(instance);
            }
        }
    }

    /// <summary>Announces a changed member list to every local member, or the current one to a new member.</summary>
    private void Recompute(ChatConnection? joiner)
    {
        var current = new SortedSet<string>(_members.Keys.Select(c => c.UserId), StringComparer.Ordinal);
        foreach (var remote in _remote.Values)
        {
            current.UnionWith(remote.Users);
        }

        if (!current.SetEquals(_announced))
        {
            var frame = ServerFrames.Presence(_id, current, current.Except(_announced), _announced.Except(current));
            _announced = current;
            foreach (var connection in _members.Keys)
            {
                connection.Enqueue(frame);
            }
        }
        else if (joiner is not null)
        {
            joiner.Enqueue(ServerFrames.Presence(_id, current, [], []));
        }
    }

    private async Task PublishPresenceAsync(bool hello)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("instance", _hub.PresenceId);
            json.WriteBoolean("hello", hello);
            json.WriteStartArray("users");
            foreach (var user in _members.Keys.Select(c => c.UserId).Distinct(StringComparer.Ordinal))
            {
                json.WriteStringValue(user);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        try
        {
            await _hub.Nats.PublishAsync(ChatSubjects.Presence(_hub.Region, _id), buffer.WrittenMemory);
        }
        catch (Exception ex) when (ex is NatsException or InvalidOperationException)
        {
            LogPresenceFailed(_logger, _id, ex.Message);
        }
    }

    private async Task RetireAsync()
    {
        _events.Writer.TryComplete();
        if (_initialized)
        {
            // An empty list tells the other instances at once instead of after the missed heartbeats.
            await PublishPresenceAsync(hello: false);
        }

        await UnsubscribeAsync();
    }

    private async Task UnsubscribeAsync()
    {
        foreach (var subscription in new[] { _messages, _presence })
        {
            if (subscription is not null)
            {
                try
                {
                    await subscription.UnsubscribeAsync();
                }
                catch (Exception ex) when (ex is NatsException or ObjectDisposedException or InvalidOperationException)
                {
                    LogPresenceFailed(_logger, _id, ex.Message);
                }
            }
        }

        _messages = null;
        _presence = null;
    }

    private async Task PumpMessagesAsync(NatsSubscription subscription)
    {
        await foreach (var msg in subscription.ReadAllAsync())
        {
            if (msg.Headers?[ChatSubjects.OffsetHeader] is { } text
                && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                Post(new RoomEvent.Deliver(offset, msg.Data.ToArray()));
            }
        }
    }

    private async Task PumpPresenceAsync(NatsSubscription subscription)
    {
        await foreach (var msg in subscription.ReadAllAsync())
        {
            try
            {
                using var document = JsonDocument.Parse(msg.Data);
                var root = document.RootElement;
                var users = root.GetProperty("users").EnumerateArray().Select(u => u.GetString()!).ToList();
                Post(new RoomEvent.Presence(root.GetProperty("instance").GetString()!, users, root.GetProperty("hello").GetBoolean()));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                LogPresenceFailed(_logger, _id, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId} failed to process {EventType}")]
    private static partial void LogEventFailed(ILogger logger, Exception exception, string roomId, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId} could not read offsets {FromOffset}..{ToOffset} to fill a gap: {Error}")]
    private static partial void LogGapFillFailed(ILogger logger, string roomId, long fromOffset, long toOffset, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence of room {RoomId}: {Error}")]
    private static partial void LogPresenceFailed(ILogger logger, string roomId, string error);

    private sealed class Member
    {
        public long LastSent { get; set; }
    }

    private sealed record RemoteInstance(IReadOnlyList<string> Users, long LastSeen);
}
