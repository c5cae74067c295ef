namespace Fleet.Nats.Benchmarks;

/// <summary>
/// One scenario measured on both sides, round by round. Round i of <see cref="Raw"/> ran right before round i of
/// <see cref="Client"/>, so each ratio compares runs that saw the same machine load.
/// </summary>
internal sealed class ScenarioSeries(string group, string name, string unit)
{
    /// <summary>The report table this scenario belongs to.</summary>
    public string Group { get; } = group;

    public string Name { get; } = name;

    /// <summary>What <see cref="RunResult.Rate"/> counts, e.g. <c>msgs/s</c>.</summary>
    public string Unit { get; } = unit;

    public List<RunResult> Raw { get; } = [];

    public List<RunResult> Client { get; } = [];

    /// <summary>Client rate divided by raw rate, per round.</summary>
    public IReadOnlyList<double> Ratios => [.. Raw.Zip(Client, (raw, client) => client.Rate / raw.Rate)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
