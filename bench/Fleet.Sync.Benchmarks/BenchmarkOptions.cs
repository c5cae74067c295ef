using CommandLine;

namespace Fleet.Sync.Benchmarks;

/// <summary>Command-line options; defaults are what bench/RESULTS.md records.</summary>
internal sealed class BenchmarkOptions
{
    [Option("rounds", Default = 3, HelpText = "Interleaved rounds: every log size (worker, then direct SQL), then push (sync, then direct API).")]
    public int Rounds { get; set; }

    [Option("sizes", Default = "10000,100000,1000000", HelpText = "Change log sizes to seed, comma-separated; the first is the growth table's reference row.")]
    public string Sizes { get; set; } = string.Empty;

    [Option("page", Default = 500, HelpText = "Changes per pull page (the worker's Sync:MaxPageSize bounds it at 500).")]
    public int PageSize { get; set; }

    [Option("cursors", Default = 30, HelpText = "Cursor positions spread evenly from the start to the end of each log.")]
    public int CursorCount { get; set; }

    [Option("concurrency", Default = 4, HelpText = "Concurrent pullers (closed loop).")]
    public int Concurrency { get; set; }

    [Option("duration", Default = 5, HelpText = "Seconds per pull run.")]
    public int DurationSeconds { get; set; }

    [Option("warmup", Default = 3, HelpText = "Seconds of unreported warm-up per pull side and log size, and per push side.")]
    public int WarmupSeconds { get; set; }

    [Option("push-clients", Default = 4, HelpText = "Concurrent push clients, each its own account, topic and clientId.")]
    public int PushClients { get; set; }

    [Option("batch", Default = 50, HelpText = "Mutations per push batch (the worker's Sync:MaxBatchSize bounds it at 50).")]
    public int BatchSize { get; set; }

    [Option("push-duration", Default = 15, HelpText = "Seconds per push run; a batch in flight at the end completes and counts.")]
    public int PushDurationSeconds { get; set; }

    [Option("no-push", HelpText = "Skip the push part (no API process).")]
    public bool NoPush { get; set; }

    [Option("output", HelpText = "Markdown file whose '## Sync worker' section is replaced or appended.")]
    public string? Output { get; set; }

    public IReadOnlyList<int> ParsedSizes() =>
        Sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
}
