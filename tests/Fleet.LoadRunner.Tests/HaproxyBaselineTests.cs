using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class HaproxyBaselineTests
{
    [Fact]
    public async Task AnswersHttpItselfAndTunnelsChatToTheRelay()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var baseline = await HaproxyBaseline.StartAsync(timeout.Token);
        using var http = HttpScenario.CreateClient(baseline.BaseUrl);
        var step = new StepDefinition { Name = "chat", Kind = StepKind.Chat, Path = "/chat/v1/ws", Rooms = 2, ClientsPerRoom = 3 };
        await using var chat = await ChatFanOut.ConnectAsync(baseline.BaseUrl, step, ["any token"], "baseline", timeout.Token);
        var model = new LoadModel { Kind = LoadModelKind.Closed, Concurrency = 2, MaxRequests = 40, Duration = TimeSpan.FromMinutes(1) };

        var answer = await http.GetStringAsync(new Uri("/api/v1/forum/posts/1", UriKind.Relative), timeout.Token);
        var result = await new LoadEngine(model, chat.SendAsync).RunAsync("chat", baseline.BaseUrl.ToString(), timeout.Token);

        Assert.Equal("baseline", answer);
        Assert.Empty(result.Metrics.Errors);
        Assert.Equal(40, result.Metrics.Timings["chat: send→ack"].Count);
        Assert.Equal(80, result.Metrics.Timings["chat: send→receive"].Count);
    }
}
