using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>Chat between two WebSocket clients on different chat containers, and a write pulled through sync: all via HAProxy.</summary>
[Collection(LocalFleetCollection.Name)]
public sealed class ChatAndSyncThroughIngressTests(LocalFleetFixture fleet)
{
    [Fact]
    public async Task ClientsOnDifferentChatContainersExchangeMessages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var alice = await RegisterAsync("alice", cts.Token);
        var bob = await RegisterAsync("bob", cts.Token);
        var room = $"e2e-{Guid.NewGuid():N}"[..24];

        using var aliceSocket = await ChatHistory.ConnectAsync(fleet.Ingress, alice, cts.Token);
        using var bobSocket = await ChatHistory.ConnectAsync(fleet.Ingress, bob, cts.Token);
        var sessions = await ChatSessionsPerServerAsync();
        Assert.True(sessions.Count(pair => pair.Value > 0) == 2, $"the two clients share a chat container: {string.Join(", ", sessions)}");

        await ChatSender.SendFrameAsync(aliceSocket, new { type = "join", v = 1, room }, cts.Token);
        await ChatSender.SendFrameAsync(bobSocket, new { type = "join", v = 1, room }, cts.Token);
        await ChatHistory.ReceiveAsync(aliceSocket, "history", cts.Token);
        await ChatHistory.ReceiveAsync(bobSocket, "history", cts.Token);
        await ChatSender.SendFrameAsync(aliceSocket, new { type = "send", v = 1, room, clientMsgId = "m-1", body = "hello across containers" }, cts.Token);

        var ack = await ChatHistory.ReceiveAsync(aliceSocket, "ack", cts.Token);
        var message = await ChatHistory.ReceiveAsync(bobSocket, "message", cts.Token);

        Assert.Equal("m-1", ack.GetProperty("clientMsgId").GetString());
        Assert.Equal("hello across containers", message.GetProperty("body").GetString());
        Assert.Equal(ack.GetProperty("offset").GetInt64(), message.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task ApiWriteIsPulledThroughSync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var token = await RegisterAsync("syncer", cts.Token);
        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var title = $"synced {Guid.NewGuid():N}";
        using var created = await client.PostAsJsonAsync("/api/v1/forum/topics", new { title }, cts.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The event travels outbox → JetStream → sync's durable consumer → change log: poll the pull endpoint.
        string? cursor = null;
        while (true)
        {
            var url = cursor is null ? "/sync/v1/changes?limit=500" : $"/sync/v1/changes?limit=500&cursor={cursor}";
            using var pulled = await client.GetAsync(url, cts.Token);
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            var page = await pulled.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
            if (page.GetProperty("changes").EnumerateArray().Any(change =>
                    change.GetProperty("entity").GetString() == "topic" && change.GetProperty("data").GetProperty("title").GetString() == title))
            {
                return;
            }

            cursor = page.GetProperty("nextCursor").GetString() ?? cursor;
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                await Task.Delay(500, cts.Token);
            }
        }
    }

    private async Task<string> RegisterAsync(string name, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(20) };
        var email = $"{name}-{Guid.NewGuid():N}@example.test";
        const string password = "end to end password";
        using var registered = await client.PostAsJsonAsync("/api/v1/accounts", new { email, password, displayName = name }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await client.PostAsJsonAsync("/api/v1/tokens", new { email, password }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }

    private static async Task<Dictionary<string, int>> ChatSessionsPerServerAsync()
    {
        var stat = await CommandRunner.RunCheckedAsync(
            "sh", ["-c", $"echo 'show stat be_chat 4 -1' | socat -t 5 stdio unix-connect:{LocalFleetFixture.AdminSocket}"], TimeSpan.FromSeconds(10));
        return stat.Split('\n').Select(line => line.Split(','))
            .Where(fields => fields.Length > 5 && fields[0] == "be_chat")
            .ToDictionary(fields => fields[1], fields => int.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture));
    }
}
