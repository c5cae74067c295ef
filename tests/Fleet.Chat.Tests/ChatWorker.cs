using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Fleet.Chat.Tests;

/// <summary>
/// The real chat worker, built exactly as Program.cs builds it, listening on a free loopback port in this process.
/// Two of them on one database and one nats-server are two instances of one region.
/// </summary>
public sealed class ChatWorker : IAsyncDisposable
{
    private static int _counter;
    private readonly TempDirectory _logs;
    private bool _stopped;

    private ChatWorker(WebApplication app, TempDirectory logs, int port, string connectionString)
    {
        App = app;
        _logs = logs;
        Port = port;
        ConnectionString = connectionString;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public int Port { get; }

    public string ConnectionString { get; }

    public HttpClient Http { get; }

    public WebApplication App { get; }

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/chat/v1/ws");

    public static async Task<ChatWorker> StartAsync(
        string connectionString, NatsServerFixture nats, IDictionary<string, string?>? settings = null, bool waitUntilReady = true, Action<WebApplicationBuilder>? configure = null)
    {
        var n = Interlocked.Increment(ref _counter);
        var port = FreeTcpPort.Next();
        var logs = new TempDirectory("chat-logs");
        string[] args =
        [
            "--region", "eu", "--instance", $"chat-test-{n}", "--http", $"http://127.0.0.1:{port}",
            "--nats", nats.Url, "--mysql", connectionString, "--log-dir", logs.Path,
        ];
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddFleetDefaults(args, kind: "chat");
        var values = new Dictionary<string, string?>
        {
            ["Api:JwtKey"] = Hs256TestTokens.Key,
            ["Fleet:DrainDelay"] = "00:00:00",
            ["Fleet:ShutdownTimeout"] = "00:00:10",
            ["Chat:PresenceInterval"] = "00:00:00.300",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        configure?.Invoke(builder);
        builder.AddChatWorker();
        var app = builder.Build();
        app.MapChatWorker();
        await app.StartAsync();
        var worker = new ChatWorker(app, logs, port, connectionString);
        if (waitUntilReady)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await worker.WaitUntilReadyAsync(cts.Token);
        }

        return worker;
    }

    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            using var response = await Http.GetAsync(FleetHealth.ReadyPath, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await App.StopAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        Http.Dispose();
        _logs.Dispose();
    }
}
