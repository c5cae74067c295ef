using Dapper;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fleet.Api;
using Fleet.Api.Benchmarks;
using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

// GET one post (MySQL point read) and POST a post against the API worker directly, each round preceded by the
// constant /api/v1/ping baseline (the pipeline and Kestrel without MySQL). wrk is the closed-loop load generator.
var duration = Arg("--duration", 10);
// Long enough for tiered compilation to reach optimized code: with 3 s the JIT's background thread was still a tenth
// of the samples (perf) while GET one post was measured.
var warmup = Arg("--warmup", 10);
var rounds = Arg("--rounds", 3);
var connections = Arg("--connections", 64);
var output = ArgText("--output");

await using var mysql = new Fixture<MySqlFixture>(new MySqlFixture());
await using var nats = new Fixture<NatsServerFixture>(new NatsServerFixture());
await mysql.Value.InitializeAsync();
await nats.Value.InitializeAsync();
var port = FreeTcpPort.Next();
using var logs = new TempDirectory("api-bench");
var database = await mysql.Value.CreateDatabaseAsync("bench");
string[] args2 =
[
    "--region", "eu", "--instance", "api-bench", "--http", $"http://127.0.0.1:{port}", "--nats", nats.Value.Url,
    "--mysql", database, "--log-dir", logs.Path, "--transport", "http",
];
var builder = WebApplication.CreateSlimBuilder(args2);
builder.AddFleetDefaults<ApiCliOptions>(args2, kind: "api");
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Api:JwtKey"] = "benchmark-signing-key-0123456789-0123456789",
    ["Fleet:DrainDelay"] = "00:00:00",
    // Request logging at Information would measure the console, not the API.
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddApiWorker();
await using var app = builder.Build();
app.MapApiWorker();
await app.StartAsync();

using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
{
    while (!(await http.GetAsync(FleetHealth.ReadyPath, wait.Token)).IsSuccessStatusCode)
    {
        await Task.Delay(100, wait.Token);
    }
}

await http.PostAsJsonAsync("/api/v1/accounts", new { email = "bench@example.com", password = "benchmark password", displayName = "Bench" });
var login = await (await http.PostAsJsonAsync("/api/v1/tokens", new { email = "bench@example.com", password = "benchmark password" }))
    .Content.ReadFromJsonAsync<JsonElement>();
var token = login.GetProperty("accessToken").GetString()!;
http.DefaultRequestHeaders.Authorization = new("Bearer", token);
var topic = (await (await http.PostAsJsonAsync("/api/v1/forum/topics", new { title = "bench" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
var post = (await (await http.PostAsJsonAsync($"/api/v1/forum/topics/{topic}/posts", new { body = "A post of ordinary length, about one sentence long." }))
    .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

var script = Path.Combine(logs.Path, "post.lua");
await File.WriteAllTextAsync(script, $$"""
    wrk.method = "POST"
    wrk.body = '{"body":"A post of ordinary length, about one sentence long."}'
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer {{token}}"
    """);

var baseUrl = $"http://127.0.0.1:{port}";
(string Name, string Url, string? Script)[] scenarios =
[
    ("baseline GET /api/v1/ping", $"{baseUrl}/api/v1/ping", null),
    ("GET one post", $"{baseUrl}/api/v1/forum/posts/{post}", null),
    ("baseline GET /api/v1/ping", $"{baseUrl}/api/v1/ping", null),
    ("POST a post", $"{baseUrl}/api/v1/forum/topics/{topic}/posts", script),
];

Console.WriteLine("warm-up…");
foreach (var scenario in scenarios)
{
    await RunWrkAsync(scenario.Url, scenario.Script, warmup, connections);
    await WaitForOutboxAsync();
}

var results = scenarios.Select(_ => new List<(WrkResult Wrk, ThreadPoolSnapshot Pool, OutboxDrain Outbox)>()).ToArray();
for (var round = 0; round < rounds; round++)
{
    for (var i = 0; i < scenarios.Length; i++)
    {
        await using var sampler = new ThreadPoolSampler();
        var wrk = await RunWrkAsync(scenarios[i].Url, scenarios[i].Script, duration, connections);
        await sampler.DisposeAsync();

        // Each write leaves an outbox row for the relay; the next scenario starts once they are on the stream, so a
        // read is never measured against the relay catching up with the writes before it.
        var outbox = await WaitForOutboxAsync();
        results[i].Add((wrk, new ThreadPoolSnapshot(sampler.StartThreads, sampler.MaxThreads, sampler.MaxPending, sampler.SamplesWithQueue, sampler.Samples), outbox));
        Console.WriteLine($"round {round + 1} {scenarios[i].Name}: {wrk.RequestsPerSecond:N0} req/s, p99 {wrk.P99Milliseconds:N1} ms, errors {wrk.Errors}, pool threads {sampler.StartThreads}→{sampler.MaxThreads}, max queued {sampler.MaxPending}, outbox backlog {outbox.Backlog} relayed in {outbox.Seconds:N1} s");
    }
}

var report = Report();
Console.WriteLine(report);
if (output is not null)
{
    var existing = File.Exists(output) ? await File.ReadAllTextAsync(output) : "# Benchmark results\n";
    var start = existing.IndexOf("\n## API worker", StringComparison.Ordinal);
    if (start >= 0)
    {
        var end = existing.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        existing = existing[..start] + (end >= 0 ? existing[end..] : string.Empty);
    }

    await File.WriteAllTextAsync(output, existing.TrimEnd() + "\n\n" + report);
}

await app.StopAsync();
return 0;

string Report()
{
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    var sb = new StringBuilder();
    var inv = CultureInfo.InvariantCulture;
    sb.AppendLine("## API worker");
    sb.AppendLine();
    sb.AppendLine("GET one post (MySQL point read by primary key) and POST a post (insert + outbox row in one transaction, then the relay publishes to JetStream) against one in-process worker, each run right after the constant `/api/v1/ping` baseline (Kestrel + the same dispatcher, no MySQL). Load: wrk, closed loop.");
    sb.AppendLine();
    sb.AppendLine("```sh");
    sb.AppendLine(inv, $"dotnet run -c Release --project bench/Fleet.Api.Benchmarks -- --duration {duration} --warmup {warmup} --rounds {rounds} --connections {connections} --output bench/RESULTS.md");
    sb.AppendLine("```");
    sb.AppendLine();
    sb.AppendLine(inv, $"- commit: {Git("rev-parse --short HEAD")}");
    sb.AppendLine(inv, $"- date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    sb.AppendLine(inv, $"- machine: {Environment.ProcessorCount} cores, shared with other engineers' builds and tests; wrk, the worker, mariadbd and nats-server all on it");
    sb.AppendLine(inv, $"- load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    sb.AppendLine(inv, $"- wrk -t2 -c{connections} -d{duration}s --latency, {rounds} rounds after a {warmup} s warm-up of each scenario; MariaDB from Debian (fixture settings), .NET {Environment.Version}, Release");
    sb.AppendLine();
    sb.AppendLine("| Scenario | req/s (median [min – max]) | p99 ms (median) | errors | ratio to the baseline run before it (median) |");
    sb.AppendLine("|---|---:|---:|---:|---:|");
    for (var i = 0; i < scenarios.Length; i++)
    {
        var rps = results[i].Select(r => r.Wrk.RequestsPerSecond).ToList();
        var ratio = i % 2 == 1
            ? Median(results[i].Select((r, round) => r.Wrk.RequestsPerSecond / results[i - 1][round].Wrk.RequestsPerSecond)).ToString("0.000", inv)
            : "—";
        sb.AppendLine(inv, $"| {scenarios[i].Name} | {Median(rps):N0} [{rps.Min():N0} – {rps.Max():N0}] | {Median(results[i].Select(r => r.Wrk.P99Milliseconds)):N1} | {results[i].Sum(r => r.Wrk.Errors)} | {ratio} |");
    }

    sb.AppendLine();
    sb.AppendLine("Thread-pool starvation check: the worker runs in the benchmark process, which samples `ThreadPool.ThreadCount` and `ThreadPool.PendingWorkItemCount` every 100 ms during each wrk run. Starvation (pool threads blocked in synchronous waits) shows as the pool injecting threads far beyond the core count while items stay queued; a queue with a flat thread count is CPU saturation of the 2 shared cores, which the load generator, MariaDB and NATS also use.");
    sb.AppendLine();
    sb.AppendLine("| Scenario | pool threads at start → max | max queued work items | samples with a queue / samples |");
    sb.AppendLine("|---|---:|---:|---:|");
    for (var i = 0; i < scenarios.Length; i++)
    {
        var pools = results[i].Select(r => r.Pool).ToList();
        sb.AppendLine(inv, $"| {scenarios[i].Name} | {pools.Min(p => p.StartThreads)} → {pools.Max(p => p.MaxThreads)} | {pools.Max(p => p.MaxPending)} | {pools.Sum(p => p.SamplesWithQueue)} / {pools.Sum(p => p.Samples)} |");
    }

    sb.AppendLine();
    sb.AppendLine("Outbox relay: each POST commits an outbox row that the relay then publishes to JetStream (one PubAck each, in order). When wrk stops, the rows not yet relayed are the backlog; the next scenario waits until it is gone. Relay rate = posts of the run ÷ (run + drain time), a lower bound while a backlog remains.");
    sb.AppendLine();
    sb.AppendLine("| Scenario | backlog when wrk stopped (median) | drain s (median) | relay events/s (median) |");
    sb.AppendLine("|---|---:|---:|---:|");
    for (var i = 0; i < scenarios.Length; i++)
    {
        if (scenarios[i].Script is null)
        {
            continue;
        }

        var relayRates = results[i].Select(r => r.Wrk.Requests / (duration + r.Outbox.Seconds));
        sb.AppendLine(inv, $"| {scenarios[i].Name} | {Median(results[i].Select(r => (double)r.Outbox.Backlog)):N0} | {Median(results[i].Select(r => r.Outbox.Seconds)):N1} | {Median(relayRates):N0} |");
    }

    return sb.ToString();
}

async Task<OutboxDrain> WaitForOutboxAsync()
{
    await using var connection = new Fleet.MySql.MySqlConnection(database);
    await connection.OpenAsync();
    var clock = Stopwatch.StartNew();
    var backlog = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    var pending = backlog;
    while (pending > 0)
    {
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"The outbox relay left {pending} of {backlog} events unsent for 5 minutes.");
        }

        await Task.Delay(50);
        pending = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
    }

    return new OutboxDrain(backlog, backlog == 0 ? 0 : clock.Elapsed.TotalSeconds);
}

static async Task<WrkResult> RunWrkAsync(string url, string? script, int seconds, int connections)
{
    var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "10s" })
    {
        info.ArgumentList.Add(a);
    }

    if (script is not null)
    {
        info.ArgumentList.Add("-s");
        info.ArgumentList.Add(script);
    }

    info.ArgumentList.Add(url);
    using var process = Process.Start(info)!;
    var text = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return WrkResult.Parse(text);
}

static string Git(string arguments)
{
    var info = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true };
    using var process = Process.Start(info)!;
    var text = process.StandardOutput.ReadToEnd().Trim();
    process.WaitForExit();
    return text;
}

int Arg(string name, int fallback) => ArgText(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed record OutboxDrain(long Backlog, double Seconds);

internal sealed record ThreadPoolSnapshot(int StartThreads, int MaxThreads, long MaxPending, int SamplesWithQueue, int Samples);

/// <summary>Owns a test fixture outside xunit: disposes it, which kills the server it started.</summary>
internal sealed class Fixture<T>(T value) : IAsyncDisposable
    where T : Xunit.IAsyncLifetime
{
    public T Value { get; } = value;

    public async ValueTask DisposeAsync() => await Value.DisposeAsync();
}
