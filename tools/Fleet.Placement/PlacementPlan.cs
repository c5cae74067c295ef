namespace Fleet.Placement;

/// <summary>The planner's answer. Ansible fails the run before touching any host unless <see cref="Ok"/>.</summary>
internal sealed record PlacementPlan(
    bool Ok,
    IReadOnlyList<InstancePlacement> Placements,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ByHost,
    IReadOnlyList<UnplacedInstance> Unplaced,
    IReadOnlyList<HostAllocation> Allocation);
