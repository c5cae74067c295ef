using System.Diagnostics;
using System.Globalization;
using CommandLine;
using Fleet.Placement;
using Fleet.Placement.Benchmarks;

// Times the planner on a synthetic fleet: a fresh plan, a re-run fed its own plan (the steady state of every
// playbook run), and an evacuation of one donor. Prints a Markdown section for bench/RESULTS.md.
using var parser = new Parser(settings => settings.HelpWriter = Console.Error);
var parsed = parser.ParseArguments<ScaleOptions>(args);
if (parsed is not Parsed<ScaleOptions> { Value: var options })
{
    return parsed.Errors.All(e => e is HelpRequestedError or VersionRequestedError) ? 0 : 2;
}

if (options.Hosts < 1 || options.Regions < 1 || options.Kinds < 1 || options.Rounds < 1
    || options.Instances < options.Regions * options.Kinds)
{
    await Console.Error.WriteLineAsync("hosts, regions, kinds and rounds must be positive, and instances at least regions × kinds.");
    return 2;
}

var fresh = SyntheticFleet.Create(options);
var first = Planner.Plan(fresh);
if (!first.Ok)
{
    await Console.Error.WriteLineAsync($"The synthetic fleet does not fit: {first.Unplaced.Count} instances left out.");
    return 1;
}

var current = first.Placements.ToDictionary(p => p.Instance, p => p.Host, StringComparer.Ordinal);
var busiest = first.Allocation.OrderByDescending(a => a.Instances.Count).ThenBy(a => a.Name, StringComparer.Ordinal).First();
var cases = new (string Name, PlacementRequest Request)[]
{
    ("fresh plan (nothing placed yet)", fresh),
    ("re-run with its own plan as current", With(fresh, current, [])),
    ($"evacuate the busiest donor ({busiest.Instances.Count} instances)", With(fresh, current, [busiest.Name])),
};

var report = new List<string>();
foreach (var (name, request) in cases)
{
    Planner.Plan(request); // warm-up: JIT and tiering
    var times = new List<double>();
    PlacementPlan? plan = null;
    for (var round = 0; round < options.Rounds; round++)
    {
        var watch = Stopwatch.StartNew();
        plan = Planner.Plan(request);
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var moved = plan!.Placements.Count(p => !p.Kept);
    report.Add(string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {plan.Placements.Count:N0} | {moved:N0} | {plan.Unplaced.Count} | {times[times.Count / 2]:0.0} | {times[0]:0.0} | {times[^1]:0.0} |"));
}

var load = File.Exists("/proc/loadavg") ? string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3)) : "n/a";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
    - {options.Instances:N0} instances ({options.Regions} region(s) × {options.Kinds} kinds) over {options.Hosts:N0} donor hosts; {options.Rounds} timed rounds per case after one warm-up
    - machine: {Environment.ProcessorCount} cores, shared; load average before the report: {load}; .NET {Environment.Version}

    | Case | Placed | Placed anew | Not placed | Median ms | Min ms | Max ms |
    |---|---:|---:|---:|---:|---:|---:|
    """));
foreach (var line in report)
{
    Console.WriteLine(line);
}

return 0;

static PlacementRequest With(PlacementRequest request, IReadOnlyDictionary<string, string> current, IReadOnlyList<string> exclude) => new()
{
    SafetyMargin = request.SafetyMargin,
    Hosts = request.Hosts,
    Workers = request.Workers,
    Current = current,
    Exclude = exclude,
};
