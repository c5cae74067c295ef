using CommandLine;

namespace Fleet.LoadRunner;

/// <summary>Command-line options; load values override the scenario file's.</summary>
public sealed class RunnerOptions
{
    [Option('s', "scenario", Separator = ',', HelpText = "Scenario names (bench/scenarios/<name>.json) or paths, comma-separated; 'all' runs every file.")]
    public IEnumerable<string> Scenarios { get; set; } = [];

    [Option("base-url", Default = "http://127.0.0.1:8080", HelpText = "Target base URL (HAProxy of the local fleet by default).")]
    public string BaseUrl { get; set; } = "http://127.0.0.1:8080";

    [Option("scenario-dir", HelpText = "Folder of scenario files (default: bench/scenarios found above the current directory).")]
    public string? ScenarioDirectory { get; set; }

    [Option("model", HelpText = "open or closed.")]
    public LoadModelKind? Model { get; set; }

    [Option("rate", HelpText = "Open model: requests per second.")]
    public double? Rate { get; set; }

    [Option('c', "concurrency", HelpText = "Closed model: virtual users.")]
    public int? Concurrency { get; set; }

    [Option("ramp-up", HelpText = "Open model: ramp-up seconds.")]
    public double? RampUp { get; set; }

    [Option("warmup", HelpText = "Warm-up seconds (not recorded).")]
    public double? WarmUp { get; set; }

    [Option('d', "duration", HelpText = "Measured seconds.")]
    public double? Duration { get; set; }

    [Option('n', "requests", HelpText = "Cap on measured requests.")]
    public long? MaxRequests { get; set; }

    [Option("timeout", HelpText = "Per-request timeout in seconds.")]
    public double? Timeout { get; set; }

    [Option("baseline", HelpText = "First run the same load against a private haproxy answering by itself (http-request return).")]
    public bool Baseline { get; set; }

    [Option("direct-url", HelpText = "Also run the same load against this URL (a worker without HAProxy) as a second baseline.")]
    public string? DirectUrl { get; set; }

    [Option("wrk", HelpText = "Cross-check: closed model at --concurrency against the scenario's first GET step with one fixed URL, then wrk on the same URL, and compare.")]
    public bool Wrk { get; set; }

    [Option("wrk-rounds", Default = 1, HelpText = "With --wrk: rounds of runner-then-wrk; the verdict uses the median of each round's paired difference.")]
    public int WrkRounds { get; set; } = 1;

    [Option('o', "output", HelpText = "Report folder: summary.md, report.json, report.html (default: none, console only).")]
    public string? Output { get; set; }

    [Option("fail-on-errors", HelpText = "Exit with code 3 when any measured request failed (report.json: runs[].errors by kind, runs[].stepErrors by step).")]
    public bool FailOnErrors { get; set; }

    [Option("no-progress", HelpText = "No progress line.")]
    public bool NoProgress { get; set; }
}
