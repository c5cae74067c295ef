using System.Buffers;
using System.Data.Common;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Fleet.Chat;

/// <summary>
/// One client's WebSocket session. The read loop handles the client's frames one at a time; a separate write loop
/// drains a bounded queue, so a slow reader only ever fills its own queue and is then disconnected, while the room
/// loops that feed it never wait on its socket.
/// </summary>
internal sealed partial class ChatConnection : IDisposable
{
    private readonly WebSocket _socket;
    private readonly ChatOptions _options;
    private readonly RoomHub _hub;
    private readonly ChatStore _store;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _outbound;
    private readonly HashSet<string> _rooms = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _finished = new();
    private readonly Lock _closeLock = new();
    private CloseRequest? _close;
    private volatile bool _ended;
    private long _lastActivity = Environment.TickCount64;
    private double _tokens;
    private long _tokensUpdated = Environment.TickCount64;

    public ChatConnection(WebSocket socket, string userId, string requestId, ChatOptions options, RoomHub hub, ChatStore store, ILogger logger)
    {
        _socket = socket;
        UserId = userId;
        RequestId = requestId;
        _options = options;
        _hub = hub;
        _store = store;
        _logger = logger;
        _tokens = options.MessageBurst;
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public string UserId { get; }

    public string RequestId { get; }

    /// <summary>
    /// Queues a frame for the client without waiting. A full queue means the client reads slower than its rooms
    /// talk: it is disconnected rather than allowed to hold memory or delay anyone else.
    /// </summary>
    public void Enqueue(byte[] frame)
    {
        // After the session ended its rooms may still hold it for a moment; frames for it are simply dropped.
        if (!_outbound.Writer.TryWrite(frame) && _close is null && !_ended)
        {
            LogSlowConsumer(_logger, UserId, _options.SendQueueCapacity);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "slow consumer: send queue full", null, dropQueued: true);
        }
    }

    /// <summary>
    /// Closes the session: optionally one last frame (e.g. the drain's reconnect hint), then the close frame.
    /// Whatever happens, the socket is aborted after <see cref="ChatOptions.SlowClientCloseTimeout"/>.
    /// </summary>
    public void RequestClose(WebSocketCloseStatus status, string reason, byte[]? lastFrame, bool dropQueued)
    {
        lock (_closeLock)
        {
            if (_close is not null)
            {
                return;
            }

            _close = new CloseRequest(status, reason, lastFrame, dropQueued);
        }

        _outbound.Writer.TryComplete();
        _ = AbortAfterAsync();
    }

    public void Dispose() => _finished.Dispose();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var writer = WriteLoopAsync();
        var idle = IdleLoopAsync();
        try
        {
            await ReadLoopAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            LogConnectionLost(_logger, UserId, ex.Message);
        }
        finally
        {
            _ended = true;
            _outbound.Writer.TryComplete();
            await _hub.LeaveAllAsync(this, _rooms);
            await writer;
            await _finished.CancelAsync();
            await idle;
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        // One byte over the limit is enough to know a frame is too big.
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxFrameBytes + 1);
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var length = 0;
                var tooBig = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    var space = tooBig ? buffer.AsMemory(0, _options.MaxFrameBytes) : buffer.AsMemory(length, _options.MaxFrameBytes + 1 - length);
                    result = await _socket.ReceiveAsync(space, cancellationToken);
                    if (!tooBig)
                    {
                        length += result.Count;
                        tooBig = length > _options.MaxFrameBytes;
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(WebSocketCloseStatus.NormalClosure, string.Empty, null, dropQueued: false);
                    return;
                }

                Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                if (_close is not null)
                {
                    continue;
                }

                if (tooBig)
                {
                    RequestClose(WebSocketCloseStatus.MessageTooBig, $"frame larger than {_options.MaxFrameBytes} bytes", null, dropQueued: false);
                    continue;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Enqueue(ServerFrames.Error("bad_frame", "Frames are JSON text."));
                    continue;
                }

                if (!TakeToken())
                {
                    Enqueue(ServerFrames.Error("rate_limited", $"More than {_options.MessagesPerSecond} frames per second; this frame was dropped."));
                    continue;
                }

                var frame = ClientFrame.Parse(buffer.AsSpan(0, length), out var error);
                if (frame is null)
                {
                    Enqueue(ServerFrames.Error("bad_frame", error));
                    continue;
                }

                await HandleAsync(frame, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        switch (frame.Type)
        {
            case "ping":
                Enqueue(ServerFrames.Pong());
                return;
            case "join":
                await JoinAsync(frame, cancellationToken);
                return;
            case "leave":
                if (frame.Room is { } leaving && _rooms.Remove(leaving))
                {
                    await _hub.LeaveAsync(this, leaving);
                    Enqueue(ServerFrames.Left(leaving));
                }
                else
                {
                    Enqueue(ServerFrames.Error("not_joined", "Not in this room.", frame.Room));
                }

                return;
            case "send":
                await SendAsync(frame, cancellationToken);
                return;
            case "history":
                await HistoryAsync(frame, cancellationToken);
                return;
            default:
                Enqueue(ServerFrames.Error("unknown_type", $"Unknown frame type '{frame.Type}'."));
                return;
        }
    }

    private async Task JoinAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!ClientFrame.IsValidRoomId(frame.Room))
        {
            Enqueue(ServerFrames.Error("bad_room", "Room ids are 1-64 letters, digits, '_' or '-'.", frame.Room));
            return;
        }

        var room = frame.Room!;
        if (_rooms.Contains(room))
        {
            Enqueue(ServerFrames.Error("already_joined", "Already in this room.", room));
            return;
        }

        if (_rooms.Count >= _options.MaxRoomsPerConnection)
        {
            Enqueue(ServerFrames.Error("too_many_rooms", $"A connection may be in at most {_options.MaxRoomsPerConnection} rooms.", room));
            return;
        }

        try
        {
            await _hub.JoinAsync(this, room, frame.LastOffset, frame.Epoch, cancellationToken);
            _rooms.Add(room);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            LogUnavailable(_logger, "join", room, ex.Message);
            Enqueue(ServerFrames.Error("unavailable", "History is unavailable; try again.", room));
        }
    }

    private async Task SendAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        var room = frame.Room;
        if (room is null || !_rooms.Contains(room))
        {
            Enqueue(ServerFrames.Error("not_joined", "Join the room before sending to it.", room, frame.ClientMsgId));
            return;
        }

        if (!ClientFrame.IsValidClientMsgId(frame.ClientMsgId))
        {
            Enqueue(ServerFrames.Error("bad_client_msg_id", "clientMsgId is required, 1-64 characters.", room, frame.ClientMsgId));
            return;
        }

        if (string.IsNullOrEmpty(frame.Body) || frame.Body.Length > _options.MaxBodyLength)
        {
            Enqueue(ServerFrames.Error("bad_body", $"body is required, at most {_options.MaxBodyLength} characters.", room, frame.ClientMsgId));
            return;
        }

        AppendResult stored;
        try
        {
            stored = await _store.AppendAsync(room, UserId, frame.ClientMsgId!, frame.Body, cancellationToken);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            // No ack: the client keeps the message and resends it with the same clientMsgId.
            LogUnavailable(_logger, "send", room, ex.Message);
            Enqueue(ServerFrames.Error("unavailable", "The message was not stored; resend it with the same clientMsgId.", room, frame.ClientMsgId));
            return;
        }

        Enqueue(ServerFrames.Ack(room, stored.Message.ClientMsgId, stored.Message.Offset, stored.Epoch, stored.Duplicate));

        // A duplicate is published again too: if the first attempt died between commit and publish, this is
        // its only fan-out, and receivers drop offsets they have already delivered.
        await _hub.PublishAsync(stored, RequestId, cancellationToken);
    }

    private async Task HistoryAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        var room = frame.Room;
        if (room is null || !_rooms.Contains(room))
        {
            Enqueue(ServerFrames.Error("not_joined", "Join the room before reading its history.", room));
            return;
        }

        try
        {
            var head = await _store.GetHeadAsync(room, cancellationToken);
            var before = Math.Min(frame.BeforeOffset ?? head.NextOffset, head.NextOffset);
            var limit = Math.Clamp(frame.Limit ?? _options.HistoryPageSize, 1, _options.HistoryPageSize);
            var page = await _store.ReadPageAsync(room, before, limit, cancellationToken);
            Enqueue(ServerFrames.History(room, head.Epoch, "page", null, head.NextOffset - 1, page));
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            LogUnavailable(_logger, "history", room, ex.Message);
            Enqueue(ServerFrames.Error("unavailable", "History is unavailable; try again.", room));
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync(_finished.Token))
            {
                if (_close is { DropQueued: true })
                {
                    break;
                }

                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _finished.Token);
            }

            if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                if (close.LastFrame is { } last)
                {
                    await _socket.SendAsync(last, WebSocketMessageType.Text, endOfMessage: true, _finished.Token);
                }

                await _socket.CloseOutputAsync(close.Status, close.Reason, _finished.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            LogConnectionLost(_logger, UserId, ex.Message);
            _socket.Abort();
        }
    }

    private async Task IdleLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(_options.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks)));
        try
        {
            while (await timer.WaitForNextTickAsync(_finished.Token))
            {
                var quiet = Environment.TickCount64 - Interlocked.Read(ref _lastActivity);
                if (quiet > _options.IdleTimeout.TotalMilliseconds)
                {
                    RequestClose(WebSocketCloseStatus.PolicyViolation, $"idle timeout: no frame for {_options.IdleTimeout.TotalSeconds}s", null, dropQueued: false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }

    private async Task AbortAfterAsync()
    {
        try
        {
            await Task.Delay(_options.SlowClientCloseTimeout, _finished.Token);
            _socket.Abort();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The session ended in time.
        }
    }

    private bool TakeToken()
    {
        var now = Environment.TickCount64;
        _tokens = Math.Min(_options.MessageBurst, _tokens + ((now - _tokensUpdated) / 1000.0 * _options.MessagesPerSecond));
        _tokensUpdated = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    private static bool IsUnavailable(Exception ex) =>
        ex is DbException or IOException or TimeoutException or System.Net.Sockets.SocketException or Nats.NatsException
            || (ex is InvalidOperationException && ex.Source?.StartsWith("Fleet.", StringComparison.Ordinal) == true);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnecting slow consumer {UserId}: {SendQueueCapacity} frames queued")]
    private static partial void LogSlowConsumer(ILogger logger, string userId, int sendQueueCapacity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection of {UserId} ended: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string userId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat {Operation} in {RoomId} failed: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string operation, string roomId, string error);

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Reason, byte[]? LastFrame, bool DropQueued);
}
