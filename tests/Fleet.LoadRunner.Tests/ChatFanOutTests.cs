using Fleet.LoadRunner;
using Fleet.TestUtilities;

namespace Fleet.LoadRunner.Tests;

[Collection(ChatWorkerCollection.Name)]
public sealed class ChatFanOutTests(MySqlFixture mysql, NatsServerFixture nats)
{
    [Fact]
    public async Task EveryMessageReachesEveryOtherMemberOfItsRoom()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var worker = await ChatWorkerProcess.StartAsync(nats, await mysql.CreateDatabaseAsync("lrchat"), timeout.Token);
        var step = new StepDefinition { Name = "chat", Kind = StepKind.Chat, Path = "/chat/v1/ws", Rooms = 3, ClientsPerRoom = 4 };
        await using var chat = await ChatFanOut.ConnectAsync(worker.BaseUrl, step, [Hs256TestTokens.Create("1"), Hs256TestTokens.Create("2"), Hs256TestTokens.Create("3")], "fanout", timeout.Token);
        // 3 messages/s over 12 clients keeps every client far below the worker's 10 frames/s.
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 30, Duration = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(20) };

        var result = await new LoadEngine(model, chat.SendAsync).RunAsync("chat", worker.BaseUrl.ToString(), timeout.Token);

        Assert.Equal(12, chat.JoinedMembers);
        Assert.Equal(60, result.Metrics.Latency.Count);
        Assert.Empty(result.Metrics.Errors);
        // One ack per message, and one delivery to each of the 3 other members of the sender's room.
        Assert.Equal(60, result.Metrics.Timings["chat: send→ack"].Count);
        Assert.Equal(180, result.Metrics.Timings["chat: send→receive"].Count);
        Assert.True(result.Metrics.BytesIn > 0 && result.Metrics.BytesOut > 0);
        Assert.Contains("| chat | chat: send→receive | 180 |", ReportWriter.Markdown([result], "### t", "c"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembersOfADeadWorkerCountAsConnectFailures()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var worker = await ChatWorkerProcess.StartAsync(nats, await mysql.CreateDatabaseAsync("lrchat"), timeout.Token);
        var step = new StepDefinition { Name = "chat", Kind = StepKind.Chat, Path = "/chat/v1/ws", Rooms = 2, ClientsPerRoom = 2 };
        await using var chat = await ChatFanOut.ConnectAsync(worker.BaseUrl, step, [Hs256TestTokens.Create("7")], "dead", timeout.Token);
        Assert.Equal(4, chat.JoinedMembers);

        await worker.KillAsync();
        worker.Dispose();
        // The receive loops notice the reset sockets and take their members out.
        while (chat.JoinedMembers > 0)
        {
            await Task.Delay(20, timeout.Token);
        }

        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 1, MaxRequests = 6, Duration = TimeSpan.FromMinutes(1), RequestTimeout = TimeSpan.FromSeconds(10) };
        var result = await new LoadEngine(model, chat.SendAsync).RunAsync("chat", worker.BaseUrl.ToString(), timeout.Token);

        Assert.Equal(6, result.Metrics.Latency.Count);
        Assert.Equal(new Dictionary<string, long> { ["chat-connect"] = 6 }, result.Metrics.Errors);
    }

    [Theory]
    [InlineData(ChatScript.NoAck, "chat-ack-timeout")]
    [InlineData(ChatScript.AckOnly, "chat-receive-timeout")]
    [InlineData(ChatScript.RateLimited, "chat-error-rate_limited")]
    [InlineData(ChatScript.CloseOnSend, "chat-close")]
    public async Task FailedMessagesAreCountedByKind(ChatScript script, string kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await ScriptedChatServer.StartAsync(script);
        var step = new StepDefinition { Name = "chat", Kind = StepKind.Chat, Path = "/chat/v1/ws", Rooms = 1, ClientsPerRoom = 2 };
        await using var chat = await ChatFanOut.ConnectAsync(server.BaseUrl, step, ["token"], "scripted", timeout.Token);
        // Timeouts only end the first two scripts' requests; the others fail on the server's answer first. With 300 ms an
        // ack that was sent could still miss the timeout when CI runs test projects side by side (AckOnly once counted
        // an ack timeout): 1 s is far beyond a loopback ack, and costs 5 s per timeout script.
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 1, MaxRequests = 5, Duration = TimeSpan.FromMinutes(1), RequestTimeout = TimeSpan.FromSeconds(1) };

        var result = await new LoadEngine(model, chat.SendAsync).RunAsync("chat", server.BaseUrl.ToString(), timeout.Token);

        Assert.Equal(5, result.Metrics.Latency.Count);
        Assert.Equal(new Dictionary<string, long> { [kind] = 5 }, result.Metrics.Errors);
    }
}
