using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// A chat client that keeps sending numbered messages to one room through the ingress while something disruptive
/// happens, the way a real client must: one message in flight, kept until its ack; told to reconnect (a
/// <c>reconnect</c> frame, then close code 1012) it waits the hinted delay, and after any lost socket it connects
/// again, rejoins and resends the unacknowledged message with the same clientMsgId. Bounded in time and count.
/// </summary>
internal sealed class ChatSender : IAsyncDisposable
{
    private const int MaxMessages = 20_000;
    private const int MaxConsecutiveConnectFailures = 100;

    // An ack takes milliseconds; this long without one means the socket died without saying so.
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(15);

    // The relay allows 10 frames per second per connection (FLEET_CHAT__MESSAGESPERSECOND); stay well below it.
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(200);

    private readonly Uri _endpoint;
    private readonly string _token;
    private readonly string _room;
    private readonly string _name;
    private readonly CancellationTokenSource _stop;
    private readonly Dictionary<string, long> _acked = [];
    private readonly List<string> _problems = [];
    private readonly Task _run;
    private int _connects;
    private int _failedConnects;
    private int _toldToReconnect;
    private int _dropped;
    private int _resent;
    private Task? _stopping;

    public ChatSender(Uri ingress, string token, string room, string name, TimeSpan maxDuration)
    {
        _endpoint = new Uri($"ws://{ingress.Authority}/chat/v1/ws");
        _token = token;
        _room = room;
        _name = name;
        _stop = new CancellationTokenSource(maxDuration);
        _run = Task.Run(RunAsync);
    }

    /// <summary>Acknowledged messages: clientMsgId → the offset the ack gave.</summary>
    public IReadOnlyDictionary<string, long> Acked
    {
        get
        {
            lock (_acked)
            {
                return new Dictionary<string, long>(_acked);
            }
        }
    }

    /// <summary>Anything a well-behaved client should never see (error frames other than "unavailable", gave up reconnecting).</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Upgrades that failed (no chat server, or a draining one answering 503); the client retries.</summary>
    public int FailedConnects => Volatile.Read(ref _failedConnects);

    /// <summary>Sessions the server ended with a <c>reconnect</c> frame or close code 1012 (its drain).</summary>
    public int ToldToReconnect => Volatile.Read(ref _toldToReconnect);

    /// <summary>Sessions that ended any other way (reset socket, ack timeout).</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Messages sent again with their clientMsgId after a lost session or an "unavailable" error.</summary>
    public int Resent => Volatile.Read(ref _resent);

    public string Describe() =>
        $"{_name}: {Acked.Count} acked, {Connects} sessions, {ToldToReconnect} told to reconnect, {Dropped} dropped, "
        + $"{FailedConnects} failed connects, {Resent} resent";

    /// <summary>Stops the sender; calling it again (DisposeAsync after a failed test) waits on the same stop.</summary>
    public Task StopAsync() => _stopping ??= StopOnceAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            // Disposing after a failure: the stop's own timeout must not hide the failure that got here.
        }

        _stop.Dispose();
    }

    private async Task StopOnceAsync()
    {
        await _stop.CancelAsync();

        // Every wait in the loop observes _stop; the bound turns a missed one into a failure with a name.
        await _run.WaitAsync(TimeSpan.FromMinutes(1));
    }

    private async Task RunAsync()
    {
        string? pending = null;
        var sent = 0;
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", $"Bearer {_token}");
            var connected = false;
            try
            {
                await socket.ConnectAsync(_endpoint, _stop.Token);
                connected = true;
                await SendFrameAsync(socket, new { type = "join", v = 1, room = _room }, _stop.Token);
                if (!await JoinedAsync(socket))
                {
                    continue;
                }

                Interlocked.Increment(ref _connects);
                failures = 0;
                if (pending is not null)
                {
                    Interlocked.Increment(ref _resent);
                }

                while (!_stop.IsCancellationRequested)
                {
                    if (pending is null)
                    {
                        if (sent == MaxMessages)
                        {
                            return;
                        }

                        pending = $"{_name}-{++sent}";
                    }

                    await SendFrameAsync(socket, new { type = "send", v = 1, room = _room, clientMsgId = pending, body = $"move test {pending}" }, _stop.Token);
                    if (!await AwaitAckAsync(socket, pending))
                    {
                        break;
                    }

                    pending = null;
                    await Task.Delay(SendInterval, _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (WebSocketException ex) when (!connected)
            {
                Interlocked.Increment(ref _failedConnects);
                if (++failures > MaxConsecutiveConnectFailures)
                {
                    Problem($"gave up after {failures} failed connects: {ex.Message}");
                    return;
                }

                await DelayAsync(TimeSpan.FromMilliseconds(200 * Math.Min(failures, 5)));
            }
            catch (WebSocketException)
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>
    /// True once the room's history arrived; false (connect again) when the session ended, the join was refused (an
    /// "unavailable" error while the server drains or its store is away), or no answer came within the ack timeout.
    /// </summary>
    private async Task<bool> JoinedAsync(ClientWebSocket socket)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        wait.CancelAfter(AckTimeout);
        try
        {
            var answer = await ReceiveAsync(socket, frame => Type(frame) is "history" or "error", wait.Token);
            if (answer is { } frame && Type(frame) == "error")
            {
                if (frame.GetProperty("code").GetString() is var code && code != "unavailable")
                {
                    Problem($"join refused: error {code}: {frame.GetProperty("message").GetString()}");
                }

                Interlocked.Increment(ref _dropped);
                await DelayAsync(TimeSpan.FromMilliseconds(500));
                return false;
            }

            return answer is not null;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
    }

    /// <summary>True once <paramref name="clientMsgId"/> is acked; false when the session ended first (resend on the next one).</summary>
    private async Task<bool> AwaitAckAsync(ClientWebSocket socket, string clientMsgId)
    {
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            wait.CancelAfter(AckTimeout);
            JsonElement? answer;
            try
            {
                answer = await ReceiveAsync(
                    socket,
                    frame => Type(frame) is "ack" or "error" && frame.TryGetProperty("clientMsgId", out var id) && id.GetString() == clientMsgId,
                    wait.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }

            if (answer is not { } frame)
            {
                return false;
            }

            if (Type(frame) == "ack")
            {
                lock (_acked)
                {
                    _acked[clientMsgId] = frame.GetProperty("offset").GetInt64();
                }

                return true;
            }

            var code = frame.GetProperty("code").GetString();
            if (code != "unavailable")
            {
                Problem($"{clientMsgId}: error {code}: {frame.GetProperty("message").GetString()}");
            }

            // Not stored: resend the same message after a pause, on the same session.
            Interlocked.Increment(ref _resent);
            await Task.Delay(TimeSpan.FromMilliseconds(500), _stop.Token);
            await SendFrameAsync(socket, new { type = "send", v = 1, room = _room, clientMsgId, body = $"move test {clientMsgId}" }, _stop.Token);
        }
    }

    /// <summary>The first frame that matches; null when the session ended (after waiting any reconnect hint).</summary>
    private async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket, Func<JsonElement, bool> match, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var retryAfter = TimeSpan.Zero;
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (result.CloseStatus == (WebSocketCloseStatus)1012 || retryAfter > TimeSpan.Zero)
                    {
                        Interlocked.Increment(ref _toldToReconnect);
                    }
                    else
                    {
                        Interlocked.Increment(ref _dropped);
                    }

                    await DelayAsync(retryAfter);
                    return null;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var frame = JsonSerializer.Deserialize<JsonElement>(Encoding.UTF8.GetString(message.ToArray()));
            if (Type(frame) == "reconnect")
            {
                // The drain's jitter hint (at most FLEET_CHAT__RECONNECTJITTER, 5 s): honour it like a real client.
                retryAfter = TimeSpan.FromMilliseconds(Math.Clamp(frame.GetProperty("retryAfterMs").GetInt64(), 1, 10_000));
                continue;
            }

            if (match(frame))
            {
                return frame;
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop ends on its next check.
        }
    }

    private void Problem(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }

    private static string? Type(JsonElement frame) => frame.GetProperty("type").GetString();

    internal static async Task SendFrameAsync(ClientWebSocket socket, object frame, CancellationToken cancellationToken) =>
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
