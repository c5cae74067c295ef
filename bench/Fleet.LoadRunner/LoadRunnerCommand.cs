using System.Diagnostics;
using System.Globalization;

namespace Fleet.LoadRunner;

/// <summary>What the console program does with its options: setup, baselines, runs, cross-check, reports.</summary>
public static class LoadRunnerCommand
{
    /// <summary>Exit code: a scenario could not run (setup failed) or a run recorded no request.</summary>
    public const int ExitNotRun = 1;

    /// <summary>Exit code with <c>--fail-on-errors</c>: every scenario ran, but some measured request failed (see report.json).</summary>
    public const int ExitErrors = 3;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs every requested scenario and writes the reports; returns the process exit code.</summary>
    public static async Task<int> RunAsync(RunnerOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var directory = options.ScenarioDirectory ?? FindScenarioDirectory();
        var names = options.Scenarios.ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException("Name at least one --scenario (or 'all'); files are in " + directory);
        }

        var files = names.Contains("all")
            ? Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList()
            : names.Select(n => File.Exists(n) ? n : Path.Combine(directory, n + ".json")).ToList();
        var target = new Uri(options.BaseUrl);
        var runId = DateTime.UtcNow.ToString("yyyyMMddHHmmss", Inv) + "-" + Environment.ProcessId.ToString(Inv);
        var runs = new List<RunResult>();
        var ratios = new List<string>();
        await using var haproxy = options.Baseline ? await HaproxyBaseline.StartAsync(cancellationToken) : null;
        using var http = HttpScenario.CreateClient(target);
        var notRun = new List<string>();
        foreach (var file in files)
        {
            var scenario = ScenarioDefinition.FromFile(file);
            var model = Apply(options, scenario.Load.ToModel());
            await output.WriteLineAsync($"== {scenario.Name}: {ReportWriter.Describe(model)} against {target}");
            ScenarioData data;
            try
            {
                data = scenario.Setup.Users + scenario.Setup.Topics > 0
                    ? await ApiSetup.CreateAsync(http, scenario.Setup, runId + "-" + scenario.Name, cancellationToken)
                    : ScenarioData.Empty;
            }
            catch (HttpRequestException ex)
            {
                // One scenario's failed setup (e.g. HAProxy's 503 for a moment) should not cost the other scenarios their runs.
                notRun.Add($"{scenario.Name}: setup failed: {ex.Message}");
                await output.WriteLineAsync(notRun[^1]);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C during a setup: report what ran.
                break;
            }

            if (options.Wrk)
            {
                runs.AddRange(await CrossCheckAsync(options, scenario, data, model, target, output, cancellationToken));
                continue;
            }

            RunResult? baseline = null;
            if (haproxy is not null)
            {
                baseline = await RunOnceAsync(scenario, data, model, haproxy.BaseUrl, scenario.Name + " @haproxy-return", runId, options, cancellationToken, anySuccess: true);
                runs.Add(baseline);
            }

            RunResult? direct = null;
            if (options.DirectUrl is not null)
            {
                direct = await RunOnceAsync(scenario, data, model, new Uri(options.DirectUrl), scenario.Name + " @direct", runId, options, cancellationToken);
                runs.Add(direct);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C during a baseline: report what ran.
                break;
            }

            RunResult run;
            try
            {
                run = await RunOnceAsync(scenario, data, model, target, scenario.Name, runId, options, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C while the chat rooms were being joined.
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
            {
                // The chat rooms could not be joined before the load.
                notRun.Add($"{scenario.Name}: chat setup failed: {ex.Message}");
                await output.WriteLineAsync(notRun[^1]);
                continue;
            }

            runs.Add(run);
            if (baseline is not null)
            {
                ratios.Add(ReportWriter.Ratios(run, baseline));
            }

            if (direct is not null)
            {
                ratios.Add(ReportWriter.Ratios(run, direct));
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        var context = Context(options);
        var markdown = ReportWriter.Markdown(runs, "### Load runner results", context)
            + (ratios.Count > 0 ? "\nOurs as a ratio of the baseline measured in the same run:\n\n" + ReportWriter.RatioHeader + string.Concat(ratios) : "")
            + (notRun.Count > 0 ? "\nScenarios that did not run:\n\n" + string.Concat(notRun.Select(n => "- " + n + "\n")) : "");
        await output.WriteLineAsync();
        await output.WriteLineAsync(markdown);
        if (options.Output is not null)
        {
            Directory.CreateDirectory(options.Output);
            await File.WriteAllTextAsync(Path.Combine(options.Output, "summary.md"), markdown, CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(options.Output, "report.json"), ReportWriter.Json(runs, context, notRun), CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(options.Output, "report.html"), ReportWriter.Html(runs, "Fleet load runner", context + (notRun.Count > 0 ? " Did not run: " + string.Join("; ", notRun) : "")), CancellationToken.None);
            await output.WriteLineAsync("Reports written to " + options.Output);
        }

        if (notRun.Count > 0 || runs.Count == 0 || runs.Any(r => r.Metrics.Latency.Count == 0))
        {
            return ExitNotRun;
        }

        return options.FailOnErrors && runs.Any(r => r.Metrics.ErrorCount > 0) ? ExitErrors : 0;
    }

    /// <summary>Applies command-line overrides to a scenario's model.</summary>
    public static LoadModel Apply(RunnerOptions options, LoadModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        return model with
        {
            Kind = options.Model ?? model.Kind,
            Rate = options.Rate ?? model.Rate,
            Concurrency = options.Concurrency ?? model.Concurrency,
            RampUp = options.RampUp is { } r ? TimeSpan.FromSeconds(r) : model.RampUp,
            WarmUp = options.WarmUp is { } w ? TimeSpan.FromSeconds(w) : model.WarmUp,
            Duration = options.Duration is { } d ? TimeSpan.FromSeconds(d) : model.Duration,
            MaxRequests = options.MaxRequests ?? model.MaxRequests,
            RequestTimeout = options.Timeout is { } t ? TimeSpan.FromSeconds(t) : model.RequestTimeout,
        };
    }

    private static async Task<RunResult> RunOnceAsync(
        ScenarioDefinition scenario, ScenarioData data, LoadModel model, Uri target, string name, string runId, RunnerOptions options, CancellationToken cancellationToken, bool anySuccess = false)
    {
        using var http = HttpScenario.CreateClient(target);
        await using var requests = await ScenarioRequests.CreateAsync(
            http, scenario, data, runId + "-" + name.GetHashCode(StringComparison.Ordinal).ToString("x8", Inv), anySuccess, cancellationToken);
        var engine = new LoadEngine(model, requests.SendAsync)
        {
            Progress = options.NoProgress ? null : (elapsed, m) => Console.Error.Write(string.Create(Inv,
                $"\r{name,-28} {elapsed.TotalSeconds,5:0}s  started {m.Started,8:N0}  done {m.Latency.Count,8:N0}  errors {m.ErrorCount,6:N0}  late {m.Late,6:N0}  p50 {m.Latency.ValueAtPercentile(50) / 1000.0,7:0.00} ms  p99 {m.Latency.ValueAtPercentile(99) / 1000.0,8:0.00} ms   ")),
        };
        var result = await engine.RunAsync(name, target.ToString(), cancellationToken);
        if (!options.NoProgress)
        {
            await Console.Error.WriteLineAsync();
        }

        return result;
    }

    private static async Task<IEnumerable<RunResult>> CrossCheckAsync(
        RunnerOptions options, ScenarioDefinition scenario, ScenarioData data, LoadModel model, Uri target, TextWriter output, CancellationToken cancellationToken)
    {
        // One fixed URL for both tools: wrk cannot vary ids per request without a Lua script.
        var step = scenario.Steps.First(s => s.Kind == StepKind.Http && s.Method == "GET") with { Weight = 1 };
        var path = step.Path.Replace("{post}", data.Posts.Count > 0 ? data.Posts[0].ToString(Inv) : "0", StringComparison.Ordinal)
            .Replace("{topic}", data.Topics.Count > 0 ? data.Topics[0].ToString(Inv) : "0", StringComparison.Ordinal);
        var fixedScenario = scenario with { Steps = [step with { Path = path }] };
        var closed = model with { Kind = LoadModelKind.Closed, Concurrency = options.Concurrency ?? model.Concurrency };
        var seconds = (int)Math.Ceiling(closed.Duration.TotalSeconds);
        var rounds = Math.Max(1, options.WrkRounds);
        var results = new List<RunResult>();
        var table = new System.Text.StringBuilder();
        var rpsDiffs = new List<double>();
        var p99Diffs = new List<double>();
        // Rounds alternate runner and wrk, and each round's pair is compared on its own: on a machine shared with
        // other work the load drifts within a minute, and the median of paired differences is what survives that.
        for (var round = 1; round <= rounds && !cancellationToken.IsCancellationRequested; round++)
        {
            var name = scenario.Name + " (closed, one URL)" + (rounds > 1 ? string.Create(Inv, $" round {round}") : "");
            var ours = await RunOnceAsync(fixedScenario, data, closed, target, name, "wrk", options, cancellationToken);
            var wrk = await WrkCrossCheck.RunAsync(new Uri(target, path), closed.Concurrency, seconds, cancellationToken);
            results.Add(ours);
            var p99 = ours.Metrics.Latency.ValueAtPercentile(99);
            rpsDiffs.Add((ours.Throughput - wrk.RequestsPerSecond) / wrk.RequestsPerSecond);
            p99Diffs.Add((p99 - wrk.P99Micros) / wrk.P99Micros);
            table.Append(Inv, $"| {round} | {ours.Throughput:N0} | {wrk.RequestsPerSecond:N0} | {rpsDiffs[^1]:+0.0%;-0.0%} | {ours.Metrics.Latency.ValueAtPercentile(50) / 1000.0:0.00} | {wrk.P50Micros / 1000.0:0.00} | {p99 / 1000.0:0.00} | {wrk.P99Micros / 1000.0:0.00} | {p99Diffs[^1]:+0.0%;-0.0%} |\n");
        }

        static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        if (rpsDiffs.Count > 0)
        {
            var rps = Median(rpsDiffs);
            var p99 = Median(p99Diffs);
            await output.WriteLineAsync(string.Create(Inv, $"""

                Cross-check against wrk, {closed.Concurrency} connections, {seconds} s each, GET {path}, {rpsDiffs.Count} round(s) of runner then wrk:
                | Round | runner req/s | wrk req/s | req/s diff | runner p50 ms | wrk p50 ms | runner p99 ms | wrk p99 ms | p99 diff |
                |---:|---:|---:|---:|---:|---:|---:|---:|---:|
                {table.ToString().TrimEnd('\n')}
                Median of the paired differences: req/s {rps:+0.0%;-0.0%}, p99 {p99:+0.0%;-0.0%}. Within 15 %: req/s {(Math.Abs(rps) <= 0.15 ? "yes" : "no")}, p99 {(Math.Abs(p99) <= 0.15 ? "yes" : "no")}.
                """));
        }

        return results;
    }

    private static string Context(RunnerOptions options)
    {
        string Run(string file, string arguments)
        {
            try
            {
                using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false });
                var text = p?.StandardOutput.ReadToEnd().Trim() ?? "";
                p?.WaitForExit();
                return text;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "?";
            }
        }

        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        return string.Create(Inv,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Run("git", "rev-parse --short HEAD")}, {Environment.ProcessorCount} cores, {Run("uname", "-sr")}, load average {load} (at the end), target {options.BaseUrl}.");
    }

    private static string FindScenarioDirectory()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "scenarios");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("No bench/scenarios above the current directory; pass --scenario-dir.");
    }
}
