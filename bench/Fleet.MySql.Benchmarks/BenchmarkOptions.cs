using CommandLine;

namespace Fleet.MySql.Benchmarks;

/// <summary>Command-line options; defaults are what bench/RESULTS.md records.</summary>
internal sealed class BenchmarkOptions
{
    [Option("rounds", Default = 5, HelpText = "Interleaved rounds of mariadb-slap, Fleet.MySql and MySql.Data.")]
    public int Rounds { get; set; }

    [Option("duration", Default = 10, HelpText = "Seconds per scenario run.")]
    public int DurationSeconds { get; set; }

    [Option("warmup", Default = 5, HelpText = "Seconds of unreported warm-up per client before the first round.")]
    public int WarmupSeconds { get; set; }

    [Option("concurrency", Default = 64, HelpText = "Concurrent callers (slap clients, async loops, tasks).")]
    public int Concurrency { get; set; }

    [Option("rows", Default = 10_000, HelpText = "Rows in the benchmark table.")]
    public int Rows { get; set; }

    [Option("output", HelpText = "Markdown file whose '## MySQL client' section is replaced or appended.")]
    public string? Output { get; set; }
}
