using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class ReportWriterTests
{
    [Fact]
    public async Task HtmlReportIsSelfContainedWithCharts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await LoopbackServer.StartAsync();
        var scenario = new ScenarioDefinition { Name = "report", Steps = [new StepDefinition { Name = "ok", Path = "/ok" }, new StepDefinition { Name = "teapot", Path = "/status/418", Weight = 0.5 }] };
        using var http = HttpScenario.CreateClient(server.BaseUrl);
        var model = new LoadModel { Kind = LoadModelKind.Open, Rate = 100, Duration = TimeSpan.FromSeconds(2) };
        var run = await new LoadEngine(model, new HttpScenario(http, scenario, ScenarioData.Empty, "r").SendAsync).RunAsync("report", server.BaseUrl.ToString(), timeout.Token);

        var html = ReportWriter.Html([run], "t", "c");
        var markdown = ReportWriter.Markdown([run], "### t", "c");
        var json = ReportWriter.Json([run], "c");

        Assert.Equal(3, html.Split("<svg ").Length - 1);
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.Contains("http-418", markdown, StringComparison.Ordinal);
        Assert.Contains("| report | ok |", markdown, StringComparison.Ordinal);
        Assert.Equal(200, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("runs")[0].GetProperty("latency").GetProperty("count").GetInt64());
    }
}
