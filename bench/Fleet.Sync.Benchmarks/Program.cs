using System.Diagnostics;
using System.Globalization;
using System.Text;
using CommandLine;
using Fleet.Hosting;
using Fleet.MySql;
using Fleet.Sync;
using Fleet.Sync.Benchmarks;
using Fleet.TestUtilities;

// Sync worker pull (page of 500 over change logs of growing size) and push (batches of 50 offline edits), each
// paired per round with a baseline measured in the same run: the page SQL issued directly, the same edits sent
// straight to the API.
var parsed = Parser.Default.ParseArguments<BenchmarkOptions>(args);
if (parsed.Value is not { } options)
{
    return 2;
}

var sizes = options.ParsedSizes();
if (options.Rounds < 1 || options.DurationSeconds < 1 || options.Concurrency < 1 || options.PushClients < 1 || options.CursorCount < 2
    || options.PageSize is < 1 or > 500 || options.BatchSize is < 2 or > 50 || sizes.Count == 0 || sizes.Any(s => s < (options.PageSize * 2) + 1000))
{
    Console.Error.WriteLine("--rounds, --duration, --concurrency, --push-clients must be positive; --cursors at least 2; --page 1..500; --batch 2..50; every size at least 2 × page + 1000.");
    return 2;
}

// Every part is bounded on its own; this is the backstop for the whole run.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(40));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var token = stop.Token;
const string PushStream = "SBPUSH";
var command = "dotnet run -c Release --project bench/Fleet.Sync.Benchmarks -- " + string.Join(' ', args);
var loadBefore = Machine.LoadAverage();
Console.WriteLine($"Load average before: {loadBefore}");

var mysql = new MySqlFixture();
var nats = new NatsServerFixture();
var hosts = new List<SyncHost>();
ApiWorkerProcess? api = null;
SyncHost? pushHost = null;
try
{
    await mysql.InitializeAsync();
    await nats.InitializeAsync();

    // The fixture's 64 MiB pool is for tests; a sync server holds its hot change log in memory.
    await mysql.ExecuteAsRootAsync("SET GLOBAL innodb_buffer_pool_size = 1073741824;");
    var mariaDb = ServerCpu.FindMariaDb(mysql.Port);
    Console.WriteLine($"MariaDB on 127.0.0.1:{mysql.Port} (pid {mariaDb}), nats-server on {nats.Url}");
    await EventStreams.CreateAsync(nats.Url, [.. sizes.Select(PullStream), PushStream], token);

    var seeding = new List<(int Size, TimeSpan Elapsed)>();
    var logs = new List<(int Size, string ConnectionString, HttpClient Http, IReadOnlyList<long> Positions)>();
    var cursors = new SyncCursor(Encoding.UTF8.GetBytes(Hs256TestTokens.Key));
    foreach (var size in sizes)
    {
        var db = await mysql.CreateDatabaseAsync("syncbench");
        var host = await SyncHost.StartAsync($"sync-bench-{size}", db, nats.Url, PullStream(size), token);
        hosts.Add(host);
        var elapsed = await ChangeLogSeeder.SeedAsync(db, size, token);
        seeding.Add((size, elapsed));
        Console.WriteLine($"Seeded {size:N0} changes in {elapsed.TotalSeconds:F1} s");

        // Start, middle and end alike: the last position still leaves a full page (plus hasMore) after it.
        var last = size - (options.PageSize * 2) - 1000;
        var positions = Enumerable.Range(0, options.CursorCount).Select(i => (long)Math.Round(i * (double)last / (options.CursorCount - 1))).ToList();
        logs.Add((size, db, new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) }, positions));
    }

    var writers = new List<OfflineWriter>();
    var directWriters = new List<OfflineWriter>();
    HttpClient? pushHttp = null;
    if (!options.NoPush)
    {
        var apiDb = await mysql.CreateDatabaseAsync("syncbenchapi");
        var pushDb = await mysql.CreateDatabaseAsync("syncbenchpush");
        api = await ApiWorkerProcess.StartAsync(
            "sync-bench-api",
            apiDb,
            nats.Url,
            [
                "FLEET_API__JWTKEY=" + Hs256TestTokens.Key,
                "FLEET_API__EVENTSTREAM=" + PushStream,
                "FLEET_API__EVENTSUBJECTPREFIX=" + EventStreams.PrefixOf(PushStream),
                "FLEET_FLEET__DRAINDELAY=00:00:00",
            ],
            FleetHealth.ReadyPath,
            token);
        pushHost = await SyncHost.StartAsync("sync-bench-push", pushDb, nats.Url, PushStream, token);
        pushHttp = new HttpClient { BaseAddress = pushHost.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        for (var i = 0; i < options.PushClients; i++)
        {
            var (account, bearer, topic) = await CreateWriterAsync(api, $"sync{i}", token);
            writers.Add(new OfflineWriter(account, bearer, topic, $"bench-sync-{i}"));
            (account, bearer, topic) = await CreateWriterAsync(api, $"direct{i}", token);
            directWriters.Add(new OfflineWriter(account, bearer, topic, $"bench-direct-{i}"));
        }
    }

    // Warm-up, unreported: JIT, connection pools, InnoDB pages; each push writer's first batch creates the posts
    // later batches edit.
    var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
    foreach (var log in logs)
    {
        await PullLoad.RunAsync(PageReaders.Worker(log.Http, cursors, options.PageSize), log.Positions, options.Concurrency, warmup, token);
        await PullLoad.RunAsync(PageReaders.Direct(log.ConnectionString, options.PageSize), log.Positions, options.Concurrency, warmup, token);
    }

    if (pushHttp is not null)
    {
        await PushLoad.RunAsync(writers, (w, ct) => w.PushBatchAsync(pushHttp, options.BatchSize, ct), options.BatchSize, warmup, token);
        await PushLoad.RunAsync(directWriters, (w, ct) => w.ApplyDirectAsync(api!.Http, options.BatchSize, ct), options.BatchSize, warmup, token);
    }

    var runs = new List<RunResult>();
    var duration = TimeSpan.FromSeconds(options.DurationSeconds);
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Odd rounds go up the sizes, even rounds down, so a load ramp within a round does not always fall on the
        // largest log.
        foreach (var log in round % 2 == 1 ? logs : logs.AsEnumerable().Reverse())
        {
            foreach (var (side, reader) in new[]
            {
                (RunResult.Worker, PageReaders.Worker(log.Http, cursors, options.PageSize)),
                (RunResult.DirectSql, PageReaders.Direct(log.ConnectionString, options.PageSize)),
            })
            {
                var (cpu, serverCpu) = (Environment.CpuUsage.TotalTime, ServerCpu.Of(mariaDb));
                var outcome = await PullLoad.RunAsync(reader, log.Positions, options.Concurrency, duration, token);
                var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                var serverMs = (ServerCpu.Of(mariaDb) - serverCpu).TotalMilliseconds;
                runs.Add(new RunResult(
                    side, log.Size, round, outcome.Samples.Count, outcome.Samples.Sum(s => s.Changes), outcome.Elapsed.TotalSeconds,
                    outcome.Percentile(0.50), outcome.Percentile(0.99), [.. Enumerable.Range(0, 3).Select(t => outcome.Percentile(0.50, t))],
                    cpuMs / outcome.Samples.Count, serverMs / outcome.Samples.Count));
                Report(runs[^1]);
            }
        }

        if (pushHttp is not null)
        {
            foreach (var (side, group, send) in new (string, List<OfflineWriter>, Func<OfflineWriter, CancellationToken, Task>)[]
            {
                (RunResult.SyncPush, writers, (w, ct) => w.PushBatchAsync(pushHttp, options.BatchSize, ct)),
                (RunResult.DirectApi, directWriters, (w, ct) => w.ApplyDirectAsync(api!.Http, options.BatchSize, ct)),
            })
            {
                var (cpu, serverCpu) = (Environment.CpuUsage.TotalTime, ServerCpu.Of(mariaDb));
                var outcome = await PushLoad.RunAsync(group, send, options.BatchSize, TimeSpan.FromSeconds(options.PushDurationSeconds), token);
                var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                var serverMs = (ServerCpu.Of(mariaDb) - serverCpu).TotalMilliseconds;
                runs.Add(new RunResult(
                    side, 0, round, outcome.BatchTicks.Count, outcome.Mutations, outcome.Elapsed.TotalSeconds,
                    outcome.Percentile(0.50), outcome.Percentile(0.99), [], cpuMs / outcome.BatchTicks.Count, serverMs / outcome.BatchTicks.Count));
                Report(runs[^1]);
            }
        }
    }

    // The plan of the page query on the largest log, from its middle, as EXPLAIN and as MariaDB's ANALYZE (which
    // runs it and counts the rows each step really read).
    var largest = logs[^1];
    var middle = largest.Positions[largest.Positions.Count / 2];
    var explain = await PlanAsync("EXPLAIN ", largest.ConnectionString, middle, options.PageSize, token);
    var analyze = await PlanAsync("ANALYZE ", largest.ConnectionString, middle, options.PageSize, token);
    var bufferPool = await ScalarAsync(logs[0].ConnectionString, "SELECT @@innodb_buffer_pool_size", token);

    var loadAfter = Machine.LoadAverage();
    var markdown = MarkdownReport.Render(new MarkdownReport.Inputs(
        runs, options, sizes, Machine.Describe(), loadBefore, loadAfter, command, seeding, explain, analyze, largest.Size, middle, bufferPool));
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (options.Output is not null)
    {
        MarkdownReport.ReplaceSection(options.Output, markdown);
        Console.WriteLine($"Wrote the '{MarkdownReport.Heading}' section of {options.Output}");
    }

    foreach (var log in logs)
    {
        log.Http.Dispose();
    }

    pushHttp?.Dispose();
    return 0;
}
finally
{
    if (pushHost is not null)
    {
        await pushHost.DisposeAsync();
    }

    api?.Dispose();
    foreach (var host in hosts)
    {
        await host.DisposeAsync();
    }

    await nats.DisposeAsync();
    await mysql.DisposeAsync();
}

/// <summary>Registers an account, logs in and creates a topic; returns the account id, its token and the topic id.</summary>
static async Task<(long AccountId, string Token, long TopicId)> CreateWriterAsync(ApiWorkerProcess api, string name, CancellationToken cancellationToken)
{
    var (id, bearer) = await api.RegisterAsync(name, cancellationToken);
    return (id, bearer, await api.CreateTopicAsync(bearer, "Offline edits of " + name, cancellationToken));
}

static string PullStream(int size) => string.Create(CultureInfo.InvariantCulture, $"SBPULL_{size}");

static void Report(RunResult run) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"round {run.Round} {run.Side,-36} log {run.LogSize,9:N0}  {run.Operations,6} ops  {run.ItemsPerSecond,9:F0} items/s  p50 {run.P50,7:F2} ms  p99 {run.P99,7:F2} ms  " +
    $"p50 by third [{string.Join(" ", run.P50ByThird.Select(p => p.ToString("F2", CultureInfo.InvariantCulture)))}]  cpu {run.CpuMillisecondsPerOperation:F2} ms/op, mariadbd {run.ServerCpuMillisecondsPerOperation:F2} ms/op"));

static async Task<List<Dictionary<string, string>>> PlanAsync(string verb, string connectionString, long after, int pageSize, CancellationToken cancellationToken)
{
    await using var connection = new MySqlConnection(connectionString);
    await connection.OpenAsync(cancellationToken);
    await using var command = new MySqlCommand(verb + ChangeLog.PageSql, connection);
    command.Parameters.AddWithValue("@accountId", PageReaders.AccountId);
    command.Parameters.AddWithValue("@after", after);
    command.Parameters.AddWithValue("@take", pageSize + 1);
    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
    var rows = new List<Dictionary<string, string>>();
    while (await reader.ReadAsync(cancellationToken))
    {
        rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(
            reader.GetName,
            i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? string.Empty));
    }

    return rows;
}

static async Task<string> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
{
    await using var connection = new MySqlConnection(connectionString);
    await connection.OpenAsync(cancellationToken);
    await using var command = new MySqlCommand(sql, connection);
    return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) ?? string.Empty;
}
