using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Reads a room's whole stored history through the ingress, page by page with the <c>history</c> frame; its session
/// and frame reading also serve tests that talk to the chat relay directly.
/// </summary>
internal static class ChatHistory
{
    private static readonly TimeSpan PagePace = TimeSpan.FromMilliseconds(150);

    public static async Task<IReadOnlyList<ChatHistoryEntry>> ReadAllAsync(Uri ingress, string token, string room, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(ingress, token, cancellationToken);
        await ChatSender.SendFrameAsync(socket, new { type = "join", v = 1, room }, cancellationToken);
        var joined = await ReceiveAsync(socket, "history", cancellationToken);
        var head = joined.GetProperty("headOffset").GetInt64();
        var entries = new Dictionary<long, ChatHistoryEntry>();
        Add(entries, joined);

        // Pages end below the lowest offset seen so far; offsets start at 1 and have no holes. Bounded by the head.
        for (var page = 0; page <= head && entries.Count > 0 && entries.Keys.Min() > 1; page++)
        {
            // The relay allows 10 frames per second per connection (burst 20): page at a pace it accepts.
            await Task.Delay(PagePace, cancellationToken);
            await ChatSender.SendFrameAsync(socket, new { type = "history", v = 1, room, beforeOffset = entries.Keys.Min() }, cancellationToken);
            if (!Add(entries, await ReceiveAsync(socket, "history", cancellationToken)))
            {
                break;
            }
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
        Assert.True(entries.Count == head, $"room {room} has head offset {head} but history returned {entries.Count} messages");
        return [.. entries.Values.OrderBy(e => e.Offset)];
    }

    private static bool Add(Dictionary<long, ChatHistoryEntry> entries, JsonElement history)
    {
        var added = false;
        foreach (var message in history.GetProperty("messages").EnumerateArray())
        {
            var entry = new ChatHistoryEntry(
                message.GetProperty("offset").GetInt64(), message.GetProperty("sender").GetString()!, message.GetProperty("clientMsgId").GetString()!);
            added |= entries.TryAdd(entry.Offset, entry);
        }

        return added;
    }

    /// <summary>A chat session through the ingress as the bearer of <paramref name="token"/>.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(Uri ingress, string token, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            await socket.ConnectAsync(new Uri($"ws://{ingress.Authority}/chat/v1/ws"), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next frame of <paramref name="type"/>, skipping others (presence, messages). An error frame or a close fails
    /// the test at once rather than leaving it to wait out its timeout.
    /// </summary>
    public static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket, string type, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var frame = JsonSerializer.Deserialize<JsonElement>(Encoding.UTF8.GetString(message.ToArray()));
            var received = frame.GetProperty("type").GetString();
            Assert.True(received != "error", $"waiting for {type}: {frame}");
            if (received == type)
            {
                return frame;
            }
        }
    }
}
