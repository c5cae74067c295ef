using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace Fleet.LoadRunner;

/// <summary>
/// A chat step's rooms (workers/Fleet.Chat, protocol v1): <see cref="StepDefinition.Rooms"/> rooms, each joined by
/// <see cref="StepDefinition.ClientsPerRoom"/> WebSocket clients before the load starts. One request is one message
/// from a random member of a random room; it succeeds when the sender has its ack and every other member that was
/// joined when it was sent has received it. Besides the request's own latency (from its intended start) it reports
/// two timings measured from writing the send frame: send→ack and send→receive (one per receiving member).
/// </summary>
/// <remarks>
/// Error kinds: <c>chat-connect</c> (a member that lost its socket could not reconnect and rejoin),
/// <c>chat-close</c> (the sender's or a receiver's socket closed while the message was in flight),
/// <c>chat-ack-timeout</c>, <c>chat-receive-timeout</c> (acked, but some member did not get it in time),
/// <c>chat-error-&lt;code&gt;</c> (the server's error frame, e.g. <c>rate_limited</c> or <c>unavailable</c>).
/// </remarks>
public sealed class ChatFanOut : IAsyncDisposable
{
    /// <summary>The worker closes a connection that sends nothing for its IdleTimeout (1 min by default); members ping before that.</summary>
    public static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(20);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Uri _uri;
    private readonly StepDefinition _step;
    private readonly string _runTag;
    private readonly ChatMember[][] _rooms;
    private readonly ConcurrentDictionary<string, PendingMessage> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _ackName;
    private readonly string _receiveName;
    private Task _keepAlive = Task.CompletedTask;

    private ChatFanOut(Uri uri, StepDefinition step, IReadOnlyList<string> tokens, string runTag)
    {
        _uri = uri;
        _step = step;
        _runTag = runTag;
        _ackName = step.Name + ": send→ack";
        _receiveName = step.Name + ": send→receive";
        _rooms = new ChatMember[step.Rooms][];
        var n = 0;
        for (var r = 0; r < step.Rooms; r++)
        {
            var roomId = string.Create(Inv, $"lr-{runTag}-{r}");
            _rooms[r] = new ChatMember[step.ClientsPerRoom];
            for (var s = 0; s < step.ClientsPerRoom; s++)
            {
                _rooms[r][s] = new ChatMember(r, s, roomId, tokens[n++ % tokens.Count]);
            }
        }
    }

    /// <summary>Members currently joined, over all rooms.</summary>
    public int JoinedMembers => _rooms.Sum(room => room.Count(m => m.Joined));

    /// <summary>
    /// Connects every member to <paramref name="baseUrl"/> + the step's path (ws:// for http://), authenticated with
    /// <paramref name="tokens"/> round-robin, and joins its room; throws when a member cannot join after 3 attempts.
    /// </summary>
    public static async Task<ChatFanOut> ConnectAsync(Uri baseUrl, StepDefinition step, IReadOnlyList<string> tokens, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(runId);
        if (tokens.Count == 0)
        {
            throw new ArgumentException("Chat clients need at least one token.", nameof(tokens));
        }

        var uri = new UriBuilder(baseUrl) { Scheme = baseUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = step.Path }.Uri;
        // Room ids are 1-64 letters, digits, '_' or '-'; the tail of the run id is its unique part.
        var tag = new string([.. runId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
        var fanOut = new ChatFanOut(uri, step, tokens, tag.Length > 48 ? tag[^48..] : tag);
        try
        {
            // A few connects at a time: a burst of hundreds of upgrades would measure the setup, not the relay.
            await Parallel.ForEachAsync(fanOut._rooms.SelectMany(room => room), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (member, ct) =>
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                        timeout.CancelAfter(TimeSpan.FromSeconds(15));
                        try
                        {
                            await fanOut.ConnectMemberAsync(member, timeout.Token);
                            return;
                        }
                        catch (Exception ex) when (attempt < 3 && !ct.IsCancellationRequested && IsConnectFailure(ex))
                        {
                            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
                        }
                    }
                });
        }
        catch
        {
            await fanOut.DisposeAsync();
            throw;
        }

        fanOut._keepAlive = fanOut.KeepAliveAsync(fanOut._stopping.Token);
        return fanOut;
    }

    /// <summary>Sends message <paramref name="index"/>; never throws for a failed message, except on cancellation from outside.</summary>
    public async Task<RequestOutcome> SendAsync(long index, CancellationToken cancellationToken)
    {
        var room = _rooms[Random.Shared.Next(_rooms.Length)];
        var sender = room[Random.Shared.Next(room.Length)];
        if (!sender.Joined)
        {
            try
            {
                await ConnectMemberAsync(sender, cancellationToken);
            }
            catch (Exception ex) when (IsConnectFailure(ex))
            {
                return new RequestOutcome(_step.Name, "chat-connect", 0, 0);
            }
        }

        var expected = new bool[room.Length];
        foreach (var member in room)
        {
            expected[member.Slot] = member != sender && member.Joined;
        }

        var clientMsgId = "m" + index.ToString(Inv);
        var frame = SendFrame(sender.RoomId, clientMsgId, (_step.Body ?? "Load runner chat message {unique}, about one short sentence.")
            .Replace("{unique}", string.Create(Inv, $"{_runTag}-{index}"), StringComparison.Ordinal));
        var pending = new PendingMessage(sender, expected, _ackName, _receiveName);
        _pending[clientMsgId] = pending;
        try
        {
            await sender.SendLock.WaitAsync(cancellationToken);
            try
            {
                if (!sender.Joined || sender.Socket is not { } socket)
                {
                    pending.Fail("chat-close");
                }
                else
                {
                    sender.Sending(clientMsgId);
                    pending.MarkSent(Stopwatch.GetTimestamp());
                    // Cancelling a WebSocket send aborts the socket; a send that outlives the request timeout has a dead connection anyway.
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
            }
            finally
            {
                sender.SendLock.Release();
            }

            await pending.Done.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pending.Fail(pending.IsAcked ? "chat-receive-timeout" : "chat-ack-timeout");
        }
        catch (OperationCanceledException)
        {
            // Not our timeout: another request's cancelled send aborted the shared socket under this one.
            pending.Fail("chat-close");
        }
        catch (WebSocketException)
        {
            pending.Fail("chat-close");
        }
        catch (ObjectDisposedException)
        {
            pending.Fail("chat-close");
        }
        finally
        {
            _pending.TryRemove(clientMsgId, out _);
            sender.Acked(clientMsgId);
        }

        var (error, timings, bytesIn) = pending.Result();
        return new RequestOutcome(_step.Name, error, bytesIn, frame.Length, timings);
    }

    /// <summary>Closes every socket (close handshake, then abort after 5 s) and stops the receive loops.</summary>
    public async ValueTask DisposeAsync()
    {
        var members = _rooms.SelectMany(room => room).ToList();
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (member, _) =>
        {
            if (member.Socket is { State: WebSocketState.Open } socket)
            {
                try
                {
                    await member.SendLock.WaitAsync(closing.Token);
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "load run over", closing.Token);
                    }
                    finally
                    {
                        member.SendLock.Release();
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // Aborted below.
                }
            }
        });
        var loops = members.Select(m => m.ReceiveLoop).OfType<Task>().ToArray();
        try
        {
            await Task.WhenAll(loops).WaitAsync(closing.Token);
        }
        catch (OperationCanceledException)
        {
            // Some server did not answer the close in time: the sockets are aborted next.
        }

        await _stopping.CancelAsync();
        foreach (var member in members)
        {
            member.Socket?.Abort();
        }

        await Task.WhenAll(loops.Append(_keepAlive)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var member in members)
        {
            member.Socket?.Dispose();
            member.SendLock.Dispose();
            member.ConnectLock.Dispose();
        }

        _stopping.Dispose();
    }

    private static bool IsConnectFailure(Exception ex) =>
        ex is WebSocketException or HttpRequestException or InvalidOperationException or OperationCanceledException or IOException;

    private async Task ConnectMemberAsync(ChatMember member, CancellationToken cancellationToken)
    {
        await member.ConnectLock.WaitAsync(cancellationToken);
        try
        {
            if (member.Joined)
            {
                return;
            }

            member.Socket?.Abort();
            member.Socket?.Dispose();
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + member.Token);
            member.Attach(socket);
            await socket.ConnectAsync(_uri, cancellationToken);
            member.ReceiveLoop = ReceiveLoopAsync(member, socket);
            var writer = new ArrayBufferWriter<byte>(128);
            using (var json = new Utf8JsonWriter(writer))
            {
                json.WriteStartObject();
                json.WriteString("type", "join");
                json.WriteNumber("v", 1);
                json.WriteString("room", member.RoomId);
                json.WriteEndObject();
            }

            await member.SendLock.WaitAsync(cancellationToken);
            try
            {
                member.Sending("");
                await socket.SendAsync(writer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                member.SendLock.Release();
            }

            await member.History.WaitAsync(cancellationToken);
            member.Joined = true;
        }
        finally
        {
            member.ConnectLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(ChatMember member, ClientWebSocket socket)
    {
        // Let ConnectMemberAsync carry on to the join while this loop waits for frames.
        await Task.Yield();
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                message.SetLength(0);
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), _stopping.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                Dispatch(member, message.GetBuffer().AsSpan(0, (int)message.Length), Stopwatch.GetTimestamp());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or JsonException)
        {
            // The socket is gone (or spoke something that is not the protocol): the member is out until reconnected.
        }
        finally
        {
            if (member.Socket == socket)
            {
                member.Joined = false;
                member.JoinRefused("socket closed");
                foreach (var pending in _pending.Values)
                {
                    if (pending.WaitsFor(member))
                    {
                        pending.Fail("chat-close");
                    }
                }
            }
        }
    }

    private void Dispatch(ChatMember member, ReadOnlySpan<byte> frame, long timestamp)
    {
        var reader = new Utf8JsonReader(frame);
        string? type = null, clientMsgId = null, code = null;
        // Only top-level string properties matter; history pages nest messages whose fields must not be read as the frame's.
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("clientMsgId"u8) ? 2 : reader.ValueTextEquals("code"u8) ? 3 : 0;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                switch (name)
                {
                    case 1: type = reader.GetString(); break;
                    case 2: clientMsgId = reader.GetString(); break;
                    case 3: code = reader.GetString(); break;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        switch (type)
        {
            case "history":
                member.HistoryArrived();
                break;
            case "ack" when clientMsgId is not null && _pending.TryGetValue(clientMsgId, out var acked) && acked.Sender == member:
                member.Acked(clientMsgId);
                acked.Ack(timestamp, frame.Length);
                break;
            case "message" when clientMsgId is not null && _pending.TryGetValue(clientMsgId, out var received) && received.Sender != member:
                received.Receive(member, timestamp, frame.Length);
                break;
            case "error":
                if (!member.Joined && clientMsgId is null)
                {
                    member.JoinRefused(code ?? "error");
                }
                else if ((clientMsgId ?? member.OldestUnacked()) is { } failedId && _pending.TryGetValue(failedId, out var failed) && failed.Sender == member)
                {
                    member.Acked(failedId);
                    failed.Fail("chat-error-" + (code ?? "unknown"));
                }

                break;
        }
    }

    private static ReadOnlyMemory<byte> SendFrame(string room, string clientMsgId, string body)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(writer))
        {
            json.WriteStartObject();
            json.WriteString("type", "send");
            json.WriteNumber("v", 1);
            json.WriteString("room", room);
            json.WriteString("clientMsgId", clientMsgId);
            json.WriteString("body", body);
            json.WriteEndObject();
        }

        return writer.WrittenMemory;
    }

    private async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var ping = "{\"type\":\"ping\",\"v\":1}"u8.ToArray();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var member in _rooms.SelectMany(room => room))
                {
                    if (!member.Joined || member.Socket is not { } socket || Stopwatch.GetElapsedTime(member.LastSent) < PingAfter || !await member.SendLock.WaitAsync(0, cancellationToken))
                    {
                        continue;
                    }

                    try
                    {
                        member.Sending("");
                        await socket.SendAsync(ping, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    }
                    catch (WebSocketException)
                    {
                        // The receive loop sees the closed socket and takes the member out.
                    }
                    finally
                    {
                        member.SendLock.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
