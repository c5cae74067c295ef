using System.Net.Http.Headers;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Fleet.Sync.IntegrationTests;

/// <summary>The real sync worker, built exactly as Program.cs builds it, on a free loopback port in this process.</summary>
public sealed class SyncWorker : IAsyncDisposable
{
    private static int _counter;
    private readonly TempDirectory _logs;
    private bool _stopped;

    private SyncWorker(WebApplication app, TempDirectory logs, int port)
    {
        App = app;
        _logs = logs;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public HttpClient Http { get; }

    public WebApplication App { get; }

    public static async Task<SyncWorker> StartAsync(
        string connectionString, string natsUrl, string stream, string region = "eu", IDictionary<string, string?>? settings = null, bool waitUntilReady = true)
    {
        var n = Interlocked.Increment(ref _counter);
        var port = FreeTcpPort.Next();
        var logs = new TempDirectory("sync-logs");
        string[] args =
        [
            "--region", region, "--instance", $"sync-test-{n}", "--http", $"http://127.0.0.1:{port}",
            "--nats", natsUrl, "--mysql", connectionString, "--log-dir", logs.Path,
        ];
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddFleetDefaults(args, kind: "sync");
        var values = new Dictionary<string, string?>
        {
            ["Api:JwtKey"] = Hs256TestTokens.Key,
            ["Fleet:DrainDelay"] = "00:00:00",
            ["Fleet:ShutdownTimeout"] = "00:00:10",
            ["Sync:EventStream"] = stream,
            ["Sync:EventSubjectPrefix"] = Events.PrefixOf(stream),
            ["Sync:ReplicationInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddSyncWorker();
        var app = builder.Build();
        app.MapSyncWorker();
        await app.StartAsync();
        var worker = new SyncWorker(app, logs, port);
        if (!waitUntilReady)
        {
            return worker;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await worker.Http.GetAsync(FleetHealth.ReadyPath, cts.Token);
            if (response.IsSuccessStatusCode)
            {
                return worker;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    public async Task<HttpResponseMessage> PullAsync(long accountId, string? cursor, int? limit = null, string? clientId = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit);
        }

        if (clientId is not null)
        {
            query.Add("clientId=" + clientId);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/sync/v1/changes" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Hs256TestTokens.Create(accountId));
        return await Http.SendAsync(request, cancellationToken);
    }

    /// <summary>Pulls every page from <paramref name="cursor"/> on; returns the changes and the last cursor.</summary>
    public async Task<(List<JsonElement> Changes, string Cursor)> PullAllAsync(long accountId, string? cursor, int limit, CancellationToken cancellationToken, string? clientId = null)
    {
        var all = new List<JsonElement>();
        for (var page = 0; page < 1000; page++)
        {
            using var response = await PullAsync(accountId, cursor, limit, clientId, cancellationToken);
            response.EnsureSuccessStatusCode();
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
            all.AddRange(body.GetProperty("changes").EnumerateArray());
            cursor = body.GetProperty("nextCursor").GetString()!;
            if (!body.GetProperty("hasMore").GetBoolean())
            {
                return (all, cursor);
            }
        }

        throw new InvalidOperationException("More than 1000 pages.");
    }

    /// <summary>Pulls until <paramref name="done"/> holds for the full change set, or the token fires.</summary>
    public async Task<List<JsonElement>> WaitForChangesAsync(long accountId, Func<List<JsonElement>, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (changes, _) = await PullAllAsync(accountId, null, 500, cancellationToken, clientId: "watcher");
            if (done(changes))
            {
                return changes;
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
