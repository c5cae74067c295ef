using CommandLine;

namespace Fleet.Placement;

/// <summary>Command line of the placement program; the JSON input carries the rest.</summary>
internal sealed class PlacementCliOptions
{
    [Option("input", Required = true, HelpText = "Placement request JSON (hosts with facts, workers, current placements); '-' reads stdin.")]
    public string Input { get; set; } = "";

    [Option("output", HelpText = "Write the plan JSON here instead of stdout.")]
    public string? Output { get; set; }

    [Option("explain", HelpText = "Print the table of hosts, allocatable room and placed instances (to stdout, or to stderr when the plan JSON goes to stdout).")]
    public bool Explain { get; set; }

    [Option("target", HelpText = "Override the request's target: donors or dedicated.")]
    public PlacementTarget? Target { get; set; }

    [Option("exclude", Separator = ',', HelpText = "Hosts to evacuate (comma-separated), added to the request's exclude list.")]
    public IEnumerable<string> Exclude { get; set; } = [];

    [Option("safety-margin", HelpText = "Override the request's safety margin, a fraction in [0, 1).")]
    public double? SafetyMargin { get; set; }
}
