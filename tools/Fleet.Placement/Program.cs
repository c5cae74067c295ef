using CommandLine;
using Fleet.Placement;

// Exit codes: 0 a plan that places everything, 1 a plan that does not (the JSON still names every instance left
// out), 2 a bad command line or input. Ansible fails the run on anything but 0 before it touches a host.
using var parser = new Parser(settings =>
{
    settings.HelpWriter = Console.Error;
    settings.CaseInsensitiveEnumValues = true;
});
var parsed = parser.ParseArguments<PlacementCliOptions>(args);
if (parsed is not Parsed<PlacementCliOptions> { Value: var options })
{
    return parsed.Errors.All(e => e is HelpRequestedError or VersionRequestedError) ? 0 : 2;
}

try
{
    var json = options.Input == "-" ? await Console.In.ReadToEndAsync() : await File.ReadAllTextAsync(options.Input);
    var request = PlacementJson.ReadRequest(json);
    request = new PlacementRequest
    {
        SafetyMargin = options.SafetyMargin ?? request.SafetyMargin,
        Target = options.Target ?? request.Target,
        Exclude = request.Exclude.Concat(options.Exclude).Distinct(StringComparer.Ordinal).ToList(),
        Hosts = request.Hosts,
        Workers = request.Workers,
        Current = request.Current,
    };
    var plan = Planner.Plan(request);
    var planJson = PlacementJson.Write(plan);
    if (options.Output is not null)
    {
        await File.WriteAllTextAsync(options.Output, planJson + "\n");
    }

    if (options.Explain)
    {
        await (options.Output is null ? Console.Error : Console.Out).WriteAsync(ExplainTable.Render(plan));
    }

    if (options.Output is null)
    {
        await Console.Out.WriteLineAsync(planJson);
    }

    foreach (var unplaced in plan.Unplaced)
    {
        await Console.Error.WriteLineAsync("not placed: " + unplaced.Describe());
    }

    return plan.Ok ? 0 : 1;
}
catch (Exception ex) when (ex is PlacementInputException or IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
