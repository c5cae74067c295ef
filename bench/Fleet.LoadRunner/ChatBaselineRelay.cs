using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.LoadRunner;

/// <summary>
/// The chat baseline behind the private haproxy: a Kestrel WebSocket endpoint on a free loopback port that speaks
/// the chat worker's frames but stores nothing and has no NATS: a <c>join</c> gets an empty <c>history</c>, a
/// <c>send</c> gets its <c>ack</c> at once and is copied to every member of the room in this process. What is left
/// is HAProxy's WebSocket tunnel, loopback and framing: the floor under the chat worker's figures.
/// </summary>
public sealed class ChatBaselineRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Member, byte>> _rooms = new(StringComparer.Ordinal);
    private long _offset;

    private ChatBaselineRelay(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>Where the relay listens (plain HTTP, loopback).</summary>
    public int Port { get; }

    /// <summary>Starts the relay on <paramref name="port"/>.</summary>
    public static async Task<ChatBaselineRelay> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        var relay = new ChatBaselineRelay(app, port);
        app.UseWebSockets();
        app.Map("/chat/v1/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 426;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await relay.ServeAsync(new Member(socket), context.RequestAborted);
        });
        await app.StartAsync();
        return relay;
    }

    /// <summary>Stops Kestrel (open sockets are aborted).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(Member member, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var joined = new List<string>();
        try
        {
            while (true)
            {
                var result = await member.Socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await member.SendLock.WaitAsync(cancellationToken);
                    try
                    {
                        await member.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    }
                    finally
                    {
                        member.SendLock.Release();
                    }

                    return;
                }

                // Load runner frames are small and whole; a split one is not worth reassembling in a baseline.
                if (!result.EndOfMessage)
                {
                    continue;
                }

                using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                var root = frame.RootElement;
                var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
                var room = root.TryGetProperty("room", out var r) ? r.GetString() ?? "" : "";
                switch (type)
                {
                    case "join":
                        _rooms.GetOrAdd(room, _ => new ConcurrentDictionary<Member, byte>())[member] = 0;
                        joined.Add(room);
                        await member.SendAsync(Frame(new { type = "history", v = 1, room, epoch = "baseline", reason = "join", headOffset = 0, messages = Array.Empty<object>() }), cancellationToken);
                        break;
                    case "send":
                        var clientMsgId = root.GetProperty("clientMsgId").GetString();
                        var offset = Interlocked.Increment(ref _offset);
                        await member.SendAsync(Frame(new { type = "ack", v = 1, room, clientMsgId, offset, epoch = "baseline", duplicate = false }), cancellationToken);
                        var message = Frame(new { type = "message", v = 1, room, offset, epoch = "baseline", sender = "baseline", clientMsgId, body = root.GetProperty("body").GetString() });
                        foreach (var other in _rooms.TryGetValue(room, out var members) ? members.Keys : [])
                        {
                            await other.TrySendAsync(message, cancellationToken);
                        }

                        break;
                    case "ping":
                        await member.SendAsync(Frame(new { type = "pong", v = 1 }), cancellationToken);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            // The client went away or sent something else; its rooms forget it below.
        }
        finally
        {
            foreach (var room in joined)
            {
                if (_rooms.TryGetValue(room, out var members))
                {
                    members.TryRemove(member, out _);
                }
            }
        }
    }

    private static byte[] Frame(object frame) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame));

    private sealed class Member(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;

        /// <summary>A WebSocket allows one send at a time; the member's own acks and other members' fan-out share it.</summary>
        public SemaphoreSlim SendLock { get; } = new(1, 1);

        public async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
        {
            await SendLock.WaitAsync(cancellationToken);
            try
            {
                await Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                SendLock.Release();
            }
        }

        public async Task TrySendAsync(byte[] frame, CancellationToken cancellationToken)
        {
            try
            {
                await SendAsync(frame, cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                // That member is leaving; its own loop removes it.
            }
        }
    }
}
