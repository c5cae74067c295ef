using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.LoadRunner.Tests;

/// <summary>How <see cref="ScriptedChatServer"/> answers a <c>send</c> frame.</summary>
public enum ChatScript
{
    /// <summary>Never acks: the sender waits for its ack until the request times out.</summary>
    NoAck,

    /// <summary>Acks but delivers the message to nobody.</summary>
    AckOnly,

    /// <summary>Answers with the worker's rate-limit error, which names no clientMsgId.</summary>
    RateLimited,

    /// <summary>Closes the sender's socket (policy violation).</summary>
    CloseOnSend,
}

/// <summary>
/// A real Kestrel WebSocket server on a free loopback port that speaks just enough of the chat protocol (join →
/// empty history) and then misbehaves on every send as scripted: the failures a real chat worker does not produce
/// on demand.
/// </summary>
internal sealed class ScriptedChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedChatServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<ScriptedChatServer> StartAsync(ChatScript script)
    {
        var port = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/chat/v1/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await ServeAsync(socket, script, context.RequestAborted);
        });
        await app.StartAsync();
        return new ScriptedChatServer(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static async Task ServeAsync(WebSocket socket, ChatScript script, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return;
                }

                using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
                var type = frame.RootElement.GetProperty("type").GetString();
                var room = frame.RootElement.TryGetProperty("room", out var r) ? r.GetString() : null;
                if (type == "join")
                {
                    await SendAsync(socket, new { type = "history", v = 1, room, epoch = "e", reason = "join", headOffset = 0, messages = Array.Empty<object>() }, cancellationToken);
                    continue;
                }

                if (type != "send")
                {
                    continue;
                }

                var clientMsgId = frame.RootElement.GetProperty("clientMsgId").GetString();
                switch (script)
                {
                    case ChatScript.AckOnly:
                        await SendAsync(socket, new { type = "ack", v = 1, room, clientMsgId, offset = 1, epoch = "e", duplicate = false }, cancellationToken);
                        break;
                    case ChatScript.RateLimited:
                        await SendAsync(socket, new { type = "error", v = 1, code = "rate_limited", message = "More than 10 frames per second; this frame was dropped." }, cancellationToken);
                        break;
                    case ChatScript.CloseOnSend:
                        await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "scripted close", cancellationToken);
                        return;
                    case ChatScript.NoAck:
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away.
        }
    }

    private static Task SendAsync(WebSocket socket, object frame, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
