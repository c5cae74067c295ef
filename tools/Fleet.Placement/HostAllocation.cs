namespace Fleet.Placement;

/// <summary>A host's allocatable resources and what the plan puts on it (the <c>--explain</c> table's rows).</summary>
internal sealed record HostAllocation(
    string Name,
    string Region,
    bool Dedicated,
    bool Eligible,
    double AllocatableCpu,
    long AllocatableMemoryMb,
    double RequestedCpu,
    long RequestedMemoryMb,
    IReadOnlyList<string> Instances);
