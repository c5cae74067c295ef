using System.Globalization;
using CommandLine;
using Fleet.MySql;
using Fleet.MySql.Benchmarks;

// Point select by primary key from 64 concurrent callers: mariadb-slap (the server's limit), Fleet.MySql and
// MySql.Data 8.0.16, interleaved per round on one private MariaDB so each round's ratios share the same load.
var parsed = Parser.Default.ParseArguments<BenchmarkOptions>(args);
if (parsed.Value is not { } options)
{
    return 2;
}

if (options.Rounds < 1 || options.DurationSeconds < 1 || options.Concurrency < 1 || options.Rows < 1)
{
    Console.Error.WriteLine("--rounds, --duration, --concurrency and --rows must be positive.");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var loadBefore = Machine.LoadAverage();
var command = "dotnet run -c Release --project bench/Fleet.MySql.Benchmarks -- " + string.Join(' ', args);
Console.WriteLine($"Load average before: {loadBefore}");
var token = stop.Token;
using var server = await MariaDbServer.StartAsync(token);
Console.WriteLine($"MariaDB on 127.0.0.1:{server.Port}, pid {server.ProcessId}");
await server.ExecuteAsRootAsync(
    $"CREATE DATABASE {MariaDbServer.Database} CHARACTER SET utf8mb4; " +
    $"CREATE USER '{MariaDbServer.User}'@'%' IDENTIFIED BY '{MariaDbServer.Password}'; " +
    $"GRANT ALL PRIVILEGES ON {MariaDbServer.Database}.* TO '{MariaDbServer.User}'@'%'; " +
    $"CREATE TABLE {MariaDbServer.Database}.post (id INT PRIMARY KEY, title VARCHAR(100) NOT NULL, body TEXT NOT NULL, created DATETIME(6) NOT NULL); " +
    $"USE {MariaDbServer.Database}; INSERT INTO post SELECT seq, CONCAT('Post title ', seq), REPEAT(CONCAT('Body of post ', seq, '. '), 12), " +
    $"TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_{options.Rows.ToString(CultureInfo.InvariantCulture)};",
    token);

var connectionString = server.ConnectionString;
var queryFile = SlapRun.WriteQueryFile(server.WorkDirectory, options.Rows, 1000);
var latencies = new LatencyRecorder(4_000_000);
var duration = TimeSpan.FromSeconds(options.DurationSeconds);
var fleet = ClientLoad.FleetMySql(connectionString);
var fleetOverSocket = ClientLoad.FleetMySql(server.SocketConnectionString);
var mySqlData = ClientLoad.MySqlData(connectionString);

// Warm-up (unreported): JIT, full pools, InnoDB pages in memory; slap's rate sizes its first round.
var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
await ClientLoad.RunAsync(fleet, blockingClient: false, options.Rows, options.Concurrency, warmup, latencies, token);
await ClientLoad.RunAsync(fleetOverSocket, blockingClient: false, options.Rows, options.Concurrency, warmup / 2, latencies, token);
await ClientLoad.RunAsync(mySqlData, blockingClient: true, options.Rows, options.Concurrency, warmup, latencies, token);
var calibration = await SlapRun.RunAsync(SlapRun.OverSocket(server), queryFile, options.Concurrency, options.Concurrency * 200L, token);
var slapQps = calibration.Queries / calibration.QueryPhase.TotalSeconds;
var slapCommand = calibration.Command
    .Replace($"--number-of-queries={options.Concurrency * 200L}", "--number-of-queries=<QPS of the previous slap run × duration>", StringComparison.Ordinal)
    .Replace(server.SocketPath, "<socket>", StringComparison.Ordinal);

var runs = new List<ScenarioRun>();
for (var round = 1; round <= options.Rounds; round++)
{
    // Slap runs a query count, not a duration: size it from its previous rate so it lasts about as long.
    foreach (var (name, connect) in new[] { (ScenarioRun.Slap, SlapRun.OverSocket(server)), (ScenarioRun.SlapTcp, SlapRun.OverTcp(server)) })
    {
        var slapQueries = Math.Clamp((long)(slapQps * options.DurationSeconds), options.Concurrency * 100L, 20_000_000L);
        var slapServer = await MeasureServerAsync(server, connectionString, () => SlapRun.RunAsync(connect, queryFile, options.Concurrency, slapQueries, token), token);
        var slap = slapServer.Outcome;
        slapQps = slap.Queries / slap.QueryPhase.TotalSeconds;
        runs.Add(new ScenarioRun(name, round, slap.Queries, slap.QueryPhase.TotalSeconds, double.NaN, double.NaN,
            slap.SlapCpu.TotalMicroseconds, slapServer.ServerCpu.TotalMicroseconds, slapServer.Delta));
        Report(runs[^1], $"wall {slap.Wall.TotalSeconds:F2} s incl. connect/teardown");
    }

    foreach (var (name, pointSelect, blocking) in new[] { (ScenarioRun.Fleet, fleet, false), (ScenarioRun.FleetSocket, fleetOverSocket, false), (ScenarioRun.MySqlData, mySqlData, true) })
    {
        var measured = await MeasureServerAsync(server, connectionString, () => ClientLoad.RunAsync(pointSelect, blocking, options.Rows, options.Concurrency, duration, latencies, token), token);
        var (p50, p99) = latencies.Percentiles();
        runs.Add(new ScenarioRun(name, round, measured.Outcome.Queries, measured.Outcome.Elapsed.TotalSeconds, p50, p99,
            measured.Outcome.ClientCpu.TotalMicroseconds, measured.ServerCpu.TotalMicroseconds, measured.Delta));
        Report(runs[^1], string.Empty);
    }
}

var loadAfter = Machine.LoadAverage();
var markdown = MarkdownReport.Render(runs, options, Machine.Describe(), loadBefore, loadAfter, command, slapCommand);
Console.WriteLine();
Console.WriteLine(markdown);
if (options.Output is not null)
{
    MarkdownReport.ReplaceSection(options.Output, markdown);
    Console.WriteLine($"Wrote the '{MarkdownReport.Heading}' section of {options.Output}");
}

return 0;

static void Report(ScenarioRun run, string note) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"round {run.Round} {run.Scenario,-20} {run.Qps,9:F0} q/s  p50 {run.P50Milliseconds,6:F2} ms  p99 {run.P99Milliseconds,7:F2} ms  " +
    $"client {run.ClientCpuPerQuery,6:F1} µs/q  server {run.ServerCpuPerQuery,6:F1} µs/q  cmds/q {run.CommandsPerQuery:F3} ({run.Server.Describe()}; connections {run.Server.Connections}) {note}"));

static async Task<(T Outcome, ServerDelta Delta, TimeSpan ServerCpu)> MeasureServerAsync<T>(
    MariaDbServer server, string connectionString, Func<Task<T>> run, CancellationToken cancellationToken)
{
    var before = await ServerStatus.ReadAsync(connectionString, cancellationToken);
    var cpuBefore = ProcessCpu.OfProcess(server.ProcessId);
    var outcome = await run();
    var cpuAfter = ProcessCpu.OfProcess(server.ProcessId);
    var after = await ServerStatus.ReadAsync(connectionString, cancellationToken);
    return (outcome, ServerStatus.Between(before, after), cpuAfter - cpuBefore);
}
