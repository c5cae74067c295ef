using Fleet.Placement;

namespace Fleet.Placement.Tests;

/// <summary>Builders that keep each test's hosts and workers readable: only what the test is about is spelled out.</summary>
internal static class Requests
{
    /// <summary>An idle donor: no load, all memory available, no reserve, so allocatable = capacity − margin.</summary>
    public static HostFacts Donor(string name, double cpu = 4, long memoryMb = 4096, string region = "eu") => new()
    {
        Name = name,
        Region = region,
        CpuCores = cpu,
        MemoryMb = memoryMb,
        MemoryAvailableMb = memoryMb,
    };

    public static HostFacts Dedicated(string name, string region = "eu") => new()
    {
        Name = name,
        Region = region,
        Dedicated = true,
        CpuCores = 16,
        MemoryMb = 32768,
        MemoryAvailableMb = 32768,
    };

    public static WorkerDemand Worker(string kind, int replicas, double cpu = 0.5, long memoryMb = 256, string region = "eu") =>
        new() { Region = region, Kind = kind, Replicas = replicas, Cpu = cpu, MemoryMb = memoryMb };

    public static PlacementRequest Request(
        IEnumerable<HostFacts> hosts,
        IEnumerable<WorkerDemand> workers,
        IReadOnlyDictionary<string, string>? current = null,
        PlacementTarget target = PlacementTarget.Donors,
        IEnumerable<string>? exclude = null) => new()
        {
            SafetyMargin = 0,
            Hosts = hosts.ToList(),
            Workers = workers.ToList(),
            Current = current ?? new Dictionary<string, string>(),
            Target = target,
            Exclude = exclude?.ToList() ?? [],
        };

    /// <summary>Runs the planner with the suite's usual 10-second bound, so a runaway loop fails instead of hanging.</summary>
    public static async Task<PlacementPlan> PlanAsync(PlacementRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Task.Run(() => Planner.Plan(request), timeout.Token).WaitAsync(timeout.Token);
    }

    public static Dictionary<string, string> HostOf(PlacementPlan plan) =>
        plan.Placements.ToDictionary(p => p.Instance, p => p.Host, StringComparer.Ordinal);
}
