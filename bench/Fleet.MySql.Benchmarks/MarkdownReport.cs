using System.Globalization;
using System.Text;

namespace Fleet.MySql.Benchmarks;

/// <summary>The "## MySQL client" section of bench/RESULTS.md.</summary>
internal static class MarkdownReport
{
    public const string Heading = "## MySQL client";

    private static readonly string[] Scenarios = [ScenarioRun.Slap, ScenarioRun.SlapTcp, ScenarioRun.Fleet, ScenarioRun.FleetSocket, ScenarioRun.MySqlData];

    public static string Render(
        IReadOnlyList<ScenarioRun> runs, BenchmarkOptions options, IReadOnlyList<string> machine, string loadBefore, string loadAfter, string command, string slapCommand)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        text.AppendLine(Heading).AppendLine();
        Line($"Point select by primary key (`{ClientLoad.Query}`, random id in 1..{options.Rows}, 4 columns, ~400-byte row) from {options.Concurrency} concurrent callers, {options.Rounds} interleaved rounds of {options.DurationSeconds} s per scenario (slap: a query count sized to about that), one private MariaDB started by the program.");
        text.AppendLine();
        text.AppendLine("```sh").AppendLine(command).AppendLine("```").AppendLine();
        foreach (var line in machine)
        {
            text.Append("- ").AppendLine(line);
        }

        Line($"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}");
        Line($"- mariadb-slap: `{slapCommand}` (Unix socket, root; the query file holds 1000 point selects on random ids, cycled). QPS = queries ÷ slap's own \"Average number of seconds to run all queries\" (query phase only, after its 64 clients connected); its client CPU is the slap process's, from /proc/self/stat cutime+cstime after it exits. \"mariadb-slap (TCP)\" is the same with `--protocol=tcp --host=127.0.0.1 --port=<port> -ubench -p…`, the .NET clients' transport and login.");
        Line($"- Fleet.MySql: {options.Concurrency} async loops, each query `await using var c = new MySqlConnection(cs); await c.OpenAsync(); … ExecuteReaderAsync; ReadAsync`, reading all 4 columns; MySql.Data the same code shape, but its async methods complete synchronously, so each of its {options.Concurrency} callers runs on a thread of its own (long-running tasks); Fleet.MySql's callers share the default thread pool, as a worker's requests do. Both over TCP to 127.0.0.1 (\"Fleet.MySql (socket)\": the same loop over the server's Unix socket, slap's default transport), `SslMode=None`, pooled, started after an unreported {options.WarmupSeconds} s warm-up each. Client CPU = `Environment.CpuUsage` delta of this process ÷ queries; server CPU = mariadbd's /proc utime+stime delta ÷ queries; server commands = sum of the `Com_*` deltas of `SHOW GLOBAL STATUS` (minus the measurement's own `SHOW STATUS`) ÷ queries; latency = open → last column read, p50/p99 of every query.");
        text.AppendLine();

        text.AppendLine("| Round | Scenario | Queries | QPS | p50 ms | p99 ms | Client CPU µs/query | Server CPU µs/query | Server commands/query | Counted commands | New logins |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var run in runs)
        {
            Line($"| {run.Round} | {run.Scenario} | {run.Queries:N0} | {run.Qps:N0} | {Format(run.P50Milliseconds)} | {Format(run.P99Milliseconds)} | {run.ClientCpuPerQuery:F1} | {run.ServerCpuPerQuery:F1} | {run.CommandsPerQuery:F3} | {run.Server.Describe()} | {run.Server.Connections} |");
        }

        text.AppendLine();
        text.AppendLine("| Scenario | QPS median [min – max] | p99 ms median | Client CPU µs/query median | Server commands/query median |");
        text.AppendLine("|---|---|---:|---:|---:|");
        foreach (var scenario in Scenarios)
        {
            var own = runs.Where(r => r.Scenario == scenario).ToList();
            Line($"| {scenario} | {Median(own.Select(r => r.Qps)):N0} [{own.Min(r => r.Qps):N0} – {own.Max(r => r.Qps):N0}] | {Format(Median(own.Select(r => r.P99Milliseconds)))} | {Median(own.Select(r => r.ClientCpuPerQuery)):F1} | {Median(own.Select(r => r.CommandsPerQuery)):F3} |");
        }

        var versusSlap = Paired(runs, ScenarioRun.FleetSocket, ScenarioRun.Slap);
        var versusSlapTcp = Paired(runs, ScenarioRun.Fleet, ScenarioRun.SlapTcp);
        var tcpVersusSlap = Paired(runs, ScenarioRun.Fleet, ScenarioRun.Slap);
        var versusMySqlData = Paired(runs, ScenarioRun.Fleet, ScenarioRun.MySqlData);
        var fleetCommands = Median(runs.Where(r => r.Scenario == ScenarioRun.Fleet).Select(r => r.CommandsPerQuery));
        text.AppendLine();
        text.AppendLine("Targets, with the ratio of each round (the two sides of a pair ran back to back, so a load burst on the shared machine hits both):").AppendLine();
        Line($"- Fleet.MySql ÷ mariadb-slap QPS ≥ 0.80, both over the Unix socket (slap's default): rounds {Rounds(versusSlap)}; median {Median(versusSlap):F2} — {Verdict(Median(versusSlap) >= 0.80)}");
        Line($"- Fleet.MySql ÷ mariadb-slap QPS ≥ 0.80, both over TCP (the workers' transport): rounds {Rounds(versusSlapTcp)}; median {Median(versusSlapTcp):F2} — {Verdict(Median(versusSlapTcp) >= 0.80)}");
        Line($"- (Mixed transports, for reading the above) Fleet.MySql over TCP ÷ mariadb-slap over the socket: rounds {Rounds(tcpVersusSlap)}; median {Median(tcpVersusSlap):F2}");
        Line($"- Fleet.MySql ÷ MySql.Data QPS ≥ 3, both over TCP: rounds {Rounds(versusMySqlData)}; median {Median(versusMySqlData):F2} — {Verdict(Median(versusMySqlData) >= 3)}");
        Line($"- One server command per simple query through Fleet.MySql: median {fleetCommands:F3} — {Verdict(fleetCommands <= 1.0005)}");
        return text.ToString();
    }

    private static string Rounds(IEnumerable<double> ratios) =>
        string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>Replaces this benchmark's section in <paramref name="path"/>, or appends it, leaving the others alone.</summary>
    public static void ReplaceSection(string path, string section)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n";
        var start = existing.IndexOf(Heading + "\n", StringComparison.Ordinal);
        string updated;
        if (start < 0)
        {
            updated = existing.TrimEnd('\n') + "\n\n" + section;
        }
        else
        {
            var next = existing.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
            updated = existing[..start] + section + (next < 0 ? string.Empty : "\n" + existing[(next + 1)..]);
        }

        File.WriteAllText(path, updated);
    }

    private static List<double> Paired(IReadOnlyList<ScenarioRun> runs, string numerator, string denominator) =>
        runs.Where(r => r.Scenario == numerator)
            .Select(n => n.Qps / runs.Single(d => d.Scenario == denominator && d.Round == n.Round).Qps)
            .ToList();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Format(double milliseconds) =>
        double.IsNaN(milliseconds) ? "n/a" : milliseconds.ToString("F2", CultureInfo.InvariantCulture);

    private static string Verdict(bool met) => met ? "met" : "**not met**";
}
