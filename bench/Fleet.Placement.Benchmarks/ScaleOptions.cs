using CommandLine;

namespace Fleet.Placement.Benchmarks;

/// <summary>Size of the synthetic fleet and how many timed rounds to run.</summary>
internal sealed class ScaleOptions
{
    [Option("hosts", Default = 1000, HelpText = "Donor hosts, spread over the regions.")]
    public int Hosts { get; set; }

    [Option("instances", Default = 10000, HelpText = "Instances in total (kinds × replicas × regions).")]
    public int Instances { get; set; }

    [Option("regions", Default = 1, HelpText = "Regions; 1 puts every instance in reach of every host, the costliest case.")]
    public int Regions { get; set; }

    [Option("kinds", Default = 10, HelpText = "Worker kinds per region.")]
    public int Kinds { get; set; }

    [Option("rounds", Default = 7, HelpText = "Timed rounds per case, after one untimed warm-up round.")]
    public int Rounds { get; set; }
}
