using System.Globalization;
using System.Text;

namespace Fleet.Nats.Benchmarks;

/// <summary>Renders the "## NATS client" section of bench/RESULTS.md and puts it into the file.</summary>
internal static class MarkdownReport
{
    public const string Heading = "## NATS client";

    /// <summary>The 16-byte publish ratio the worker-platform issue asks for.</summary>
    private const double TargetRatio = 0.80;

    public static string Render(
        IReadOnlyList<ScenarioSeries> series, MachineDescription machine, string command, string loadBefore, string loadAfter, int messages, bool warmedUp)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading).AppendLine();
        Append(text, $"Fleet.Nats (workers/Fleet.Nats) against a minimal raw-socket NATS client, the limit this machine and server allow, in one run.");
        text.AppendLine().AppendLine("```sh").AppendLine(command).AppendLine("```").AppendLine();
        Append(text, $"- commit: {machine.Commit}");
        Append(text, $"- date: {machine.DateUtc}");
        Append(text, $"- machine: {machine.ProcessorCount} cores ({machine.CpuModel}), shared with other engineers' builds and tests");
        Append(text, $"- load average (1/5/15 min): {loadBefore} before, {loadAfter} after");
        Append(text, $"- nats-server: {machine.NatsServerVersion}; dotnet SDK {machine.DotnetSdk} ({machine.Runtime}), Release");
        Append(text, $"- rounds: {series[0].Raw.Count}, each running the raw baseline then the client per scenario{(warmedUp ? ", after an unreported warm-up round" : ", no warm-up")}");
        text.AppendLine();

        var publish16 = series.FirstOrDefault(s => s.Name == "publish 16 B");
        if (publish16 is not null)
        {
            var ratio = ScenarioSeries.Median(publish16.Ratios);
            Append(text, $"**Target: Fleet.Nats ≥ {TargetRatio:0.00} × raw for 16-byte publishes — {(ratio >= TargetRatio ? "met" : "NOT met")}: median ratio {ratio:0.000}.**");
            text.AppendLine();
        }

        AppendRates(text, series, "publish", "Publish", "from the first write to the PONG answering a PING sent after the last message; nobody subscribes");
        AppendRates(text, series, "request", "Request/reply", "one responder connection and one requester connection per side; latency per round trip, median over rounds of each round's percentile");
        AppendRates(text, series, "pubsub", "Publish → subscribe", "one publisher and one subscriber connection per side, from the first publish to the last message received");
        AppendRates(
            text,
            series,
            "diagnostics",
            "Diagnostics: raw frames through a System.IO.Pipelines write loop (not a client)",
            "as the publish runs; the right-hand side is the raw publisher's pre-built frames written through a Pipe (Fleet.Nats's pipe settings) and a write loop, adding one of the client's per-message costs at a time",
            "Pipe variant");
        AppendCpu(text, series);
        AppendAllocations(text, series, messages);
        return text.ToString();
    }

    /// <summary>Replaces the section from its heading to the next "## " heading, or appends it; creates the file if needed.</summary>
    public static void WriteSection(string path, string section)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmark results\n\n";
        var lines = existing.Split('\n').ToList();
        var start = lines.FindIndex(l => l.TrimEnd() == Heading);
        string result;
        if (start < 0)
        {
            result = existing.TrimEnd('\n') + "\n\n" + section;
        }
        else
        {
            var end = lines.FindIndex(start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
            var before = string.Join('\n', lines.Take(start));
            var after = end < 0 ? string.Empty : "\n" + string.Join('\n', lines.Skip(end));
            result = (before.Length > 0 ? before.TrimEnd('\n') + "\n\n" : string.Empty) + section + after;
        }

        File.WriteAllText(path, result.TrimEnd('\n') + "\n");
    }

    private static void AppendRates(
        StringBuilder text, IReadOnlyList<ScenarioSeries> series, string group, string title, string definition, string clientColumn = "Fleet.Nats")
    {
        var rows = series.Where(s => s.Group == group).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var withLatency = rows.Any(s => s.Raw.Any(r => r.Latency is not null));
        Append(text, $"### {title} ({rows[0].Unit})");
        text.AppendLine();
        Append(text, $"Timed {definition}. Median [min – max] over rounds.");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"| Scenario | Raw baseline | {clientColumn} |");
        text.Append(withLatency ? $" Raw p50 / p99 µs | {clientColumn} p50 / p99 µs |" : string.Empty);
        text.AppendLine(" Ratio per round | Median ratio |");
        text.Append("|---|---:|---:|");
        text.Append(withLatency ? "---:|---:|" : string.Empty);
        text.AppendLine("---|---:|");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Name} | {Spread(row.Raw)} | {Spread(row.Client)} |");
            if (withLatency)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Latency(row.Raw)} | {Latency(row.Client)} |");
            }

            var ratios = string.Join(", ", row.Ratios.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)));
            text.AppendLine(CultureInfo.InvariantCulture, $" {ratios} | **{ScenarioSeries.Median(row.Ratios):0.000}** |");
        }

        text.AppendLine();
    }

    private static void AppendCpu(StringBuilder text, IReadOnlyList<ScenarioSeries> series)
    {
        Append(text, $"### CPU time per message or round trip (µs)");
        text.AppendLine();
        Append(text, $"Bench: this process, both ends of the scenario (Environment.CpuUsage, i.e. getrusage). Server: the private nats-server (/proc, 10 ms ticks, so a few percent of rounding). Medians over rounds. Total CPU ratio = raw (bench + server) ÷ client (bench + server) CPU, per round: when the machine is saturated, as a shared 2-core box under others' builds is, throughput follows total CPU per message, and unlike the wall-clock ratio this figure barely depends on how much of the machine each run happened to get.");
        text.AppendLine();
        text.AppendLine("| Scenario | Raw bench | Raw server | Client bench | Client server | Bench CPU ratio (median) | Total CPU ratio per round | Median total CPU ratio |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var row in series)
        {
            var benchRatios = row.Raw.Zip(row.Client, (raw, client) => PerItem(raw, raw.Cpu.Bench) / PerItem(client, client.Cpu.Bench)).ToList();
            var totalRatios = row.Raw.Zip(row.Client, (raw, client) => Total(raw) / Total(client)).Where(r => !double.IsNaN(r)).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {MedianCpu(row.Raw, r => r.Cpu.Bench)} | {MedianCpu(row.Raw, r => r.Cpu.Server)} | {MedianCpu(row.Client, r => r.Cpu.Bench)} | {MedianCpu(row.Client, r => r.Cpu.Server)} | {ScenarioSeries.Median(benchRatios):0.000} | {(totalRatios.Count == 0 ? "–" : Join(totalRatios, "0.000"))} | **{(totalRatios.Count == 0 ? "–" : ScenarioSeries.Median(totalRatios).ToString("0.000", CultureInfo.InvariantCulture))}** |");
        }

        text.AppendLine();
    }

    private static double Total(RunResult run) =>
        run.Cpu.Server is { } server ? PerItem(run, run.Cpu.Bench + server) : double.NaN;

    private static double PerItem(RunResult run, TimeSpan cpu) => cpu.TotalMicroseconds / run.Count;

    private static string MedianCpu(List<RunResult> runs, Func<RunResult, TimeSpan?> cpu)
    {
        var values = runs.Where(r => cpu(r) is not null).Select(r => PerItem(r, cpu(r)!.Value)).ToList();
        return values.Count == 0 ? "–" : ScenarioSeries.Median(values).ToString("0.000", CultureInfo.InvariantCulture);
    }

    private static void AppendAllocations(StringBuilder text, IReadOnlyList<ScenarioSeries> series, int messages)
    {
        var rows = series.Where(s => s.Client.Any(r => r.Allocation is not null)).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        Append(text, $"### Fleet.Nats allocations and publish internals ({messages:N0} messages per run)");
        text.AppendLine();
        Append(text, $"Thread: GC.GetAllocatedBytesForCurrentThread() over the publish loop (n/a when a publish completed asynchronously, since the loop may then change threads). Process: GC.GetTotalAllocatedBytes(true) from the first publish to the flush's PONG, including the client's write loop, the runtime and this bench. For publish → subscribe, process allocations cover both the publishing and the subscribing connection. Enqueue-only: messages divided by the time until the last PublishAsync returned, before the flush — the rate the publishing thread alone sustains.");
        text.AppendLine();
        text.AppendLine("| Scenario | Thread B/msg per round | Process B/msg per round | Publishes that completed asynchronously, per round | Enqueue-only msgs/s, median [min – max] |");
        text.AppendLine("|---|---|---|---|---:|");
        foreach (var row in rows)
        {
            var allocations = row.Client.Select(r => r.Allocation!).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | {Join(allocations.Select(a => a.ThreadBytesPerMessage))} | {Join(allocations.Select(a => a.ProcessBytesPerMessage))} | {string.Join(", ", allocations.Select(a => a.AsynchronousPublishes))} | {EnqueueRates(row.Client)} |");
        }

        text.AppendLine();
    }

    private static string Spread(List<RunResult> runs)
    {
        var rates = runs.Select(r => r.Rate).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{ScenarioSeries.Median(rates):N0} [{rates.Min():N0} – {rates.Max():N0}]");
    }

    private static string EnqueueRates(List<RunResult> runs)
    {
        var rates = runs.Select(r => r.Count / r.Allocation!.EnqueueElapsed.TotalSeconds).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{ScenarioSeries.Median(rates):N0} [{rates.Min():N0} – {rates.Max():N0}]");
    }

    private static string Latency(List<RunResult> runs)
    {
        var latencies = runs.Select(r => r.Latency).OfType<LatencySummary>().ToList();
        return latencies.Count == 0
            ? "–"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{ScenarioSeries.Median(latencies.Select(l => l.P50Microseconds)):N1} / {ScenarioSeries.Median(latencies.Select(l => l.P99Microseconds)):N1}");
    }

    private static string Join(IEnumerable<double> values, string format = "0.00") =>
        string.Join(", ", values.Select(v => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture)));

    private static void Append(StringBuilder text, FormattableString line) =>
        text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
