namespace Fleet.Placement;

/// <summary>A worker kind in one region: how many replicas and what each one requests.</summary>
internal sealed class WorkerDemand
{
    public string Region { get; init; } = "";

    public string Kind { get; init; } = "";

    public int Replicas { get; init; }

    public double Cpu { get; init; }

    public long MemoryMb { get; init; }

    /// <summary>Container name prefix; instances are <c>&lt;prefix&gt;-&lt;kind&gt;-&lt;n&gt;</c> (DESIGN.md §4).</summary>
    public string? Prefix { get; init; }

    public string InstanceName(int index) => $"{Prefix ?? "fleet-" + Region}-{Kind}-{index}";
}
