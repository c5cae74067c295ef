using System.Globalization;
using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// The real sync worker built as its Program.cs builds it (flags, Fleet defaults, AddSyncWorker, MapSyncWorker)
/// on a free loopback port in this process, so a pull or push crosses Kestrel, auth, the cursor, SQL and JSON.
/// </summary>
internal sealed class SyncHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _logs;

    private SyncHost(WebApplication app, TempDirectory logs, int port)
    {
        _app = app;
        _logs = logs;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    public Uri BaseAddress { get; }

    /// <param name="name">Instance name; also names the event stream, so each host consumes only its own events.</param>
    public static async Task<SyncHost> StartAsync(string name, string connectionString, string natsUrl, string stream, CancellationToken cancellationToken)
    {
        var port = FreeTcpPort.Next();
        var logs = new TempDirectory("sync-bench-logs");
        string[] args =
        [
            "--region", "eu", "--instance", name, "--http", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--nats", natsUrl, "--mysql", connectionString, "--log-dir", logs.Path,
        ];
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddFleetDefaults(args, kind: "sync");

        // Added last so it wins over any FLEET_ variable of the shell the bench runs in.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:JwtKey"] = Hs256TestTokens.Key,
            ["Fleet:DrainDelay"] = "00:00:00",
            ["Fleet:ShutdownTimeout"] = "00:00:10",
            ["Sync:EventStream"] = stream,
            ["Sync:EventSubjectPrefix"] = EventStreams.PrefixOf(stream),
        });
        builder.AddSyncWorker();
        var app = builder.Build();
        app.MapSyncWorker();
        await app.StartAsync(cancellationToken);
        var host = new SyncHost(app, logs, port);
        await host.WaitReadyAsync(cancellationToken);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _logs.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        // Ready means MySQL and NATS reachable and the migrations done; bounded, a loaded machine needs seconds.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = BaseAddress };
        while (true)
        {
            using var response = await http.GetAsync(FleetHealth.ReadyPath, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
