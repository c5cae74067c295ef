using System.Globalization;
using System.Text;

namespace Fleet.Sync.Benchmarks;

/// <summary>The "## Sync worker" section of bench/RESULTS.md.</summary>
internal static class MarkdownReport
{
    public const string Heading = "## Sync worker";

    public sealed record Inputs(
        IReadOnlyList<RunResult> Runs,
        BenchmarkOptions Options,
        IReadOnlyList<int> Sizes,
        IReadOnlyList<string> Machine,
        string LoadBefore,
        string LoadAfter,
        string Command,
        IReadOnlyList<(int Size, TimeSpan Elapsed)> Seeding,
        IReadOnlyList<Dictionary<string, string>> Explain,
        IReadOnlyList<Dictionary<string, string>> Analyze,
        int PlanLogSize,
        long PlanCursor,
        string BufferPoolBytes);

    public static string Render(Inputs input)
    {
        var runs = input.Runs;
        var options = input.Options;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        text.AppendLine(Heading).AppendLine();
        Line($"Pull: pages of {options.PageSize} changes (`GET /sync/v1/changes?cursor=…&limit={options.PageSize}`) from {options.CursorCount} cursors spread evenly over change logs of {string.Join(", ", input.Sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} entries, {options.Concurrency} concurrent pullers, {options.DurationSeconds} s per run. Push: batches of {options.BatchSize} offline edits (`POST /sync/v1/mutations`; half `post.create`, half `post.edit` of the writer's own earlier posts at their current version) from {options.PushClients} clients, {options.PushDurationSeconds} s per run. {options.Rounds} rounds; in each, every log size runs worker then baseline back to back, then push runs sync then baseline, so the two sides of a ratio share the same machine load.");
        text.AppendLine();
        text.AppendLine("```sh").AppendLine(input.Command).AppendLine("```").AppendLine();
        foreach (var line in input.Machine)
        {
            text.Append("- ").AppendLine(line);
        }

        Line($"- Load average (1/5/15 min) before: {input.LoadBefore}; after: {input.LoadAfter}. Everything (bench clients, the in-process sync workers, mariadbd, nats-server, the API process) shares the machine's cores with other engineers' work; absolute figures move with that load, the paired ratios much less.");
        Line($"- One private MariaDB (Fleet.TestUtilities MySqlFixture, `innodb_buffer_pool_size` raised to {long.Parse(input.BufferPoolBytes, CultureInfo.InvariantCulture) / 1048576} MiB) and nats-server (JetStream), started by the program and killed by PID at the end.");
        Line($"- Seeding, straight into the migrated sync schema in the worker's row shape (`changes` + `entity_versions`, change ids 1..N; 90 % public posts, 1 in 19 of them tombstones, 10 % personal account rows; post data is the API's event JSON with a ~220-character body), `INSERT … SELECT` from MariaDB's sequence engine in 50,000-row transactions, then `ANALYZE TABLE`: {string.Join("; ", input.Seeding.Select(s => $"{s.Size.ToString("N0", CultureInfo.InvariantCulture)} rows {s.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s"))}.");
        Line($"- Worker side: the real sync worker (`AddFleetDefaults` + `AddSyncWorker` + `MapSyncWorker`, as Program.cs) hosted in this process on a loopback port, one instance per log; a pull is bearer-token check, cursor HMAC, watermark read, the page query (`ChangeLog.PageSql`, limit {options.PageSize + 1}), the client-cursor upsert and the JSON page; the bench client parses the JSON and checks {options.PageSize} changes with `hasMore`. Baseline: the same `ChangeLog.PageSql` with the same parameters through Fleet.MySql directly (pooled open per page, every column read), no HTTP/JSON/auth/bookkeeping. Latency: request start → page parsed/read; changes/s = changes ÷ run wall time. Process CPU ms/page: this process's CPU time (bench client plus, on the worker side, the in-process worker and its idle background loops) ÷ pages; mariadbd CPU ms/page: the server's /proc utime+stime delta ÷ pages.");
        Line($"- Push side: the sync worker forwards each mutation to the real API worker (Release build, own process) over NATS request/reply and records the client's seq in the same transaction; the API writes the post and its outbox event, which flows through JetStream back into this sync instance's change log while the bench runs (the direct API writes produce the same events, so both sides carry that load). Baseline: the same mix of creates (with an `Idempotency-Key`, as sync's forward carries) and edits sent straight to the API over HTTP, one request after the other; a \"batch\" there is {options.BatchSize} requests. Latency per batch; mutations/s = mutations ÷ run wall time. Every mutation must answer `applied` / 2xx or the run fails. Process CPU per batch includes the in-process sync worker (push handling and applying the resulting events); the API process's CPU is in neither column.");
        text.AppendLine();

        var baseSize = input.Sizes[0];
        text.AppendLine("### Pull: growth table").AppendLine();
        Line($"Medians over rounds. \"÷ first\" ratios compare with the {baseSize:N0} row of the same round and side, then take the median. Flat cost means ratios ≈ 1. On this loaded machine wall-clock figures swing between rounds (see every run below); CPU per page, of the bench process (client plus the in-process worker) and of mariadbd, is the steadier measure of work done.");
        text.AppendLine();
        text.AppendLine("| Log size | Worker changes/s | p50 ms | p99 ms | p50 ms start / middle / end | changes/s ÷ first | p99 ÷ first | Process CPU ms/page | mariadbd CPU ms/page | mariadbd CPU ÷ first |");
        text.AppendLine("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var size in input.Sizes)
        {
            var worker = Of(runs, RunResult.Worker, size);
            var thirds = string.Join(" / ", Enumerable.Range(0, 3).Select(t => F2(Median(worker.Select(r => r.P50ByThird[t])))));
            Line($"| {size:N0} | {Median(worker.Select(r => r.ItemsPerSecond)):N0} | {F2(Median(worker.Select(r => r.P50)))} | {F2(Median(worker.Select(r => r.P99)))} | {thirds} | {F2(Median(Paired(runs, RunResult.Worker, size, RunResult.Worker, baseSize, r => r.ItemsPerSecond)))} | {F2(Median(Paired(runs, RunResult.Worker, size, RunResult.Worker, baseSize, r => r.P99)))} | {F2(Median(worker.Select(r => r.CpuMillisecondsPerOperation)))} | {F2(Median(worker.Select(r => r.ServerCpuMillisecondsPerOperation)))} | {F2(Median(Paired(runs, RunResult.Worker, size, RunResult.Worker, baseSize, r => r.ServerCpuMillisecondsPerOperation)))} |");
        }

        var last = input.Sizes[^1];
        text.AppendLine();
        Line($"{last:N0} vs {baseSize:N0} entries ({(double)last / baseSize:N0}× the log), medians of the per-round ratios: mariadbd CPU per page ×{F2(Median(Paired(runs, RunResult.Worker, last, RunResult.Worker, baseSize, r => r.ServerCpuMillisecondsPerOperation)))}, process CPU per page ×{F2(Median(Paired(runs, RunResult.Worker, last, RunResult.Worker, baseSize, r => r.CpuMillisecondsPerOperation)))}, changes/s ×{F2(Median(Paired(runs, RunResult.Worker, last, RunResult.Worker, baseSize, r => r.ItemsPerSecond)))}, p99 ×{F2(Median(Paired(runs, RunResult.Worker, last, RunResult.Worker, baseSize, r => r.P99)))}. Odd rounds run the sizes upwards, even rounds downwards.");
        text.AppendLine();
        text.AppendLine("Baseline, the same page SQL direct through Fleet.MySql, run right after the worker on the same log in each round:").AppendLine();
        text.AppendLine("| Log size | Direct changes/s | p50 ms | p99 ms | changes/s ÷ first | Process CPU ms/page | mariadbd CPU ms/page | Worker ÷ direct changes/s | Worker ÷ direct mariadbd CPU/page |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in input.Sizes)
        {
            var direct = Of(runs, RunResult.DirectSql, size);
            Line($"| {size:N0} | {Median(direct.Select(r => r.ItemsPerSecond)):N0} | {F2(Median(direct.Select(r => r.P50)))} | {F2(Median(direct.Select(r => r.P99)))} | {F2(Median(Paired(runs, RunResult.DirectSql, size, RunResult.DirectSql, baseSize, r => r.ItemsPerSecond)))} | {F2(Median(direct.Select(r => r.CpuMillisecondsPerOperation)))} | {F2(Median(direct.Select(r => r.ServerCpuMillisecondsPerOperation)))} | {F2(Median(Paired(runs, RunResult.Worker, size, RunResult.DirectSql, size, r => r.ItemsPerSecond)))} | {F2(Median(Paired(runs, RunResult.Worker, size, RunResult.DirectSql, size, r => r.ServerCpuMillisecondsPerOperation)))} |");
        }

        text.AppendLine();
        text.AppendLine("Every run:").AppendLine();
        text.AppendLine("| Round | Side | Log size | Ops | Items/s | p50 ms | p99 ms | Process CPU ms/op | mariadbd CPU ms/op |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            Line($"| {run.Round} | {run.Side} | {(run.LogSize == 0 ? "–" : run.LogSize.ToString("N0", CultureInfo.InvariantCulture))} | {run.Operations:N0} | {run.ItemsPerSecond:N0} | {F2(run.P50)} | {F2(run.P99)} | {F2(run.CpuMillisecondsPerOperation)} | {F2(run.ServerCpuMillisecondsPerOperation)} |");
        }

        text.AppendLine();
        Line($"### Pull: the page query's plan at {input.PlanLogSize:N0} entries");
        text.AppendLine();
        Line($"`ChangeLog.PageSql` for account {PageReaders.AccountId} after change id {input.PlanCursor:N0} (the middle cursor), limit {options.PageSize + 1}. `EXPLAIN`:");
        text.AppendLine();
        Table(text, input.Explain, ["id", "select_type", "table", "type", "key", "key_len", "rows", "Extra"]);
        text.AppendLine();
        text.AppendLine("MariaDB `ANALYZE` (runs the statement; `r_rows` is what each step really read, `rows` the optimizer's estimate):");
        text.AppendLine();
        Table(text, input.Analyze, ["id", "table", "type", "key", "rows", "r_rows", "Extra"]);
        text.AppendLine();
        Line($"Both branches (public scope 0, the caller's own scope) are `range` scans of `ix_changes_scope (scope, change_id)` that start at the cursor and stop at the LIMIT, in index order, without a filesort; `rows` is the optimizer's guess at the range, `r_rows` shows each branch read at most {options.PageSize + 1}. The only sort is the outer `ORDER BY` merging the two branches (`<derived2>`, a temporary table of at most 2 × {options.PageSize + 1} rows): its size follows the page, not the log.");

        var push = runs.Where(r => r.Side == RunResult.SyncPush).ToList();
        if (push.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("### Push").AppendLine();
            text.AppendLine("| Side | Mutations/s median [min – max] | Batch p50 ms | Batch p99 ms | Batches | Process CPU ms/batch | mariadbd CPU ms/batch |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
            foreach (var side in new[] { RunResult.SyncPush, RunResult.DirectApi })
            {
                var own = runs.Where(r => r.Side == side).ToList();
                Line($"| {side} | {Median(own.Select(r => r.ItemsPerSecond)):N0} [{own.Min(r => r.ItemsPerSecond):N0} – {own.Max(r => r.ItemsPerSecond):N0}] | {F2(Median(own.Select(r => r.P50)))} | {F2(Median(own.Select(r => r.P99)))} | {own.Sum(r => r.Operations):N0} | {F2(Median(own.Select(r => r.CpuMillisecondsPerOperation)))} | {F2(Median(own.Select(r => r.ServerCpuMillisecondsPerOperation)))} |");
            }

            var ratios = Paired(runs, RunResult.SyncPush, 0, RunResult.DirectApi, 0, r => r.ItemsPerSecond);
            text.AppendLine();
            Line($"Sync ÷ direct mutations/s per round: {string.Join(", ", ratios.Select(F2))}; median {F2(Median(ratios))}. Batch p99 over {push.Sum(r => r.Operations) / push.Count:N0} batches per run is a rough figure.");
        }

        return text.ToString();
    }

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
            // Sub-headings of this section are "### "; the next section starts at the next "## ".
            var next = existing.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
            updated = existing[..start] + section + (next < 0 ? string.Empty : "\n" + existing[(next + 1)..]);
        }

        File.WriteAllText(path, updated);
    }

    private static List<RunResult> Of(IReadOnlyList<RunResult> runs, string side, int size) =>
        runs.Where(r => r.Side == side && r.LogSize == size).ToList();

    /// <summary>Per round: value of (side, size) ÷ value of (baseSide, baseSize).</summary>
    private static List<double> Paired(IReadOnlyList<RunResult> runs, string side, int size, string baseSide, int baseSize, Func<RunResult, double> value) =>
        Of(runs, side, size)
            .Select(r => value(r) / value(runs.Single(b => b.Side == baseSide && b.LogSize == baseSize && b.Round == r.Round)))
            .ToList();

    private static void Table(StringBuilder text, IReadOnlyList<Dictionary<string, string>> rows, string[] columns)
    {
        var present = columns.Where(c => rows.Any(r => r.ContainsKey(c))).ToList();
        text.Append("| ").AppendJoin(" | ", present).AppendLine(" |");
        text.Append('|').AppendJoin(string.Empty, present.Select(_ => "---|")).AppendLine();
        foreach (var row in rows)
        {
            text.Append("| ").AppendJoin(" | ", present.Select(c => row.TryGetValue(c, out var v) ? v.Replace("|", "\\|", StringComparison.Ordinal) : string.Empty)).AppendLine(" |");
        }
    }

    private static double Median(IEnumerable<double> values) => Percentiles.Median(values);

    private static string F2(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F2", CultureInfo.InvariantCulture);
}
