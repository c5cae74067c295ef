namespace Fleet.Placement;

/// <summary>The planner's whole input, as Ansible writes it from the inventory and the gathered facts.</summary>
internal sealed class PlacementRequest
{
    /// <summary>
    /// Fraction of each host's capacity (cpu and memory) never handed out: facts are a snapshot, and the donor's
    /// use moves between the gathering and the containers starting. 10% is the Kubernetes eviction-threshold habit.
    /// </summary>
    public double SafetyMargin { get; init; } = 0.1;

    public PlacementTarget Target { get; init; } = PlacementTarget.Donors;

    /// <summary>Hosts being evacuated: they keep nothing and take nothing.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    public IReadOnlyList<HostFacts> Hosts { get; init; } = [];

    public IReadOnlyList<WorkerDemand> Workers { get; init; } = [];

    /// <summary>Where each existing instance runs now (instance name → host name); kept while it still fits.</summary>
    public IReadOnlyDictionary<string, string> Current { get; init; } = new Dictionary<string, string>();
}
