using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

/// <summary>A test client over <see cref="ClientWebSocket"/> speaking the v1 JSON frames.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker? _invoker;

    private ChatClient(ClientWebSocket socket, HttpMessageInvoker? invoker, string userId)
    {
        _socket = socket;
        _invoker = invoker;
        UserId = userId;
    }

    public string UserId { get; }

    public WebSocket Socket => _socket;

    /// <summary>Connects as <paramref name="userId"/>; <paramref name="receiveBufferBytes"/> shrinks the socket's receive buffer (slow readers).</summary>
    public static async Task<ChatClient> ConnectAsync(
        Uri uri, string userId, CancellationToken cancellationToken, bool tokenInQuery = false, int? receiveBufferBytes = null)
    {
        var socket = new ClientWebSocket();
        var token = Hs256TestTokens.Create(userId);
        if (tokenInQuery)
        {
            uri = new Uri(uri + "?access_token=" + Uri.EscapeDataString(token));
        }
        else
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        HttpMessageInvoker? invoker = null;
        if (receiveBufferBytes is { } size)
        {
            invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var raw = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                    await raw.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(raw, ownsSocket: true);
                },
            });
        }

        await socket.ConnectAsync(uri, invoker, cancellationToken);
        return new ChatClient(socket, invoker, userId);
    }

    public Task SendAsync(object frame, CancellationToken cancellationToken) =>
        SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(frame), cancellationToken);

    public async Task SendRawAsync(byte[] utf8, CancellationToken cancellationToken) =>
        await _socket.SendAsync(utf8, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public Task JoinAsync(string room, CancellationToken cancellationToken, long? lastOffset = null, string? epoch = null) =>
        SendAsync(new { type = "join", v = 1, room, lastOffset, epoch }, cancellationToken);

    public Task SendMessageAsync(string room, string clientMsgId, string body, CancellationToken cancellationToken) =>
        SendAsync(new { type = "send", v = 1, room, clientMsgId, body }, cancellationToken);

    /// <summary>The next frame, or null when the server closed the connection.</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(message.ToArray());
                return document.RootElement.Clone();
            }
        }
    }

    /// <summary>Reads frames until one of <paramref name="type"/> matching <paramref name="match"/>; fails on close.</summary>
    public async Task<JsonElement> WaitForAsync(string type, CancellationToken cancellationToken, Func<JsonElement, bool>? match = null)
    {
        while (true)
        {
            var frame = await ReceiveAsync(cancellationToken)
                ?? throw new InvalidOperationException($"Closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) while waiting for {type}.");
            if (frame.GetProperty("type").GetString() == type && (match is null || match(frame)))
            {
                return frame;
            }
        }
    }

    /// <summary>Reads (and drops) frames until the server closes; returns the close status and reason.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason, List<JsonElement> Frames)> ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var frames = new List<JsonElement>();
        while (await ReceiveAsync(cancellationToken) is { } frame)
        {
            frames.Add(frame);
        }

        return (_socket.CloseStatus, _socket.CloseStatusDescription, frames);
    }

    public static string Text(JsonElement frame, string name) => frame.GetProperty(name).GetString()!;

    public static long Number(JsonElement frame, string name) => frame.GetProperty(name).GetInt64();

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }

        _socket.Dispose();
        _invoker?.Dispose();
    }
}
