namespace Fleet.Placement;

/// <summary>
/// Places worker instances on hosts' spare capacity, Kubernetes "allocatable" style:
/// allocatable = capacity − the donor's own use − the donor's reserve − a safety margin.
/// Existing placements stay while they still fit (so a re-run changes nothing); new instances go, largest first,
/// to the eligible host with the fewest replicas of the same kind and then the most room left after placing it.
/// Every tie breaks on ordinal names, so the same input always gives the same plan.
/// </summary>
internal static class Planner
{
    // Requests and capacities are compared in whole millicores and megabytes: integer sums never drift, so a request
    // that exactly fills a host fits on every run, on every machine.
    private const double MilliPerCore = 1000.0;

    public static PlacementPlan Plan(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);

        var excluded = new HashSet<string>(request.Exclude, StringComparer.Ordinal);
        var hosts = request.Hosts
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .Select(h => new HostState(h, IsEligible(h, request.Target, excluded), request.SafetyMargin))
            .ToArray();
        var byName = hosts.ToDictionary(h => h.Facts.Name, StringComparer.Ordinal);
        var eligibleByRegion = hosts
            .Where(h => h.Eligible)
            .GroupBy(h => h.Facts.Region, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        foreach (var regionHosts in eligibleByRegion.Values)
        {
            for (var slot = 0; slot < regionHosts.Length; slot++)
            {
                regionHosts[slot].Slot = slot;
            }
        }

        var instances = Expand(request.Workers);
        var assigned = new Dictionary<Instance, (HostState Host, bool Kept)>();

        // Pass 1, stability: an instance stays where it runs while that host is still eligible and has room.
        foreach (var instance in instances.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (request.Current.TryGetValue(instance.Name, out var hostName)
                && byName.TryGetValue(hostName, out var host)
                && host.Eligible
                && string.Equals(host.Facts.Region, instance.Demand.Region, StringComparison.Ordinal)
                && host.Fits(instance))
            {
                host.Take(instance);
                assigned[instance] = (host, true);
            }
        }

        // Pass 2: first-fit-decreasing keeps big instances from being stranded behind many small ones.
        var kindCounts = new Dictionary<(string Region, string Kind), int[]>();
        foreach (var (instance, (host, _)) in assigned)
        {
            KindCounts(kindCounts, instance, eligibleByRegion)[host.Slot]++;
        }

        var unplaced = new List<UnplacedInstance>();
        var pending = instances
            .Where(i => !assigned.ContainsKey(i))
            .OrderByDescending(i => i.MemoryMb)
            .ThenByDescending(i => i.CpuMilli)
            .ThenBy(i => i.Name, StringComparer.Ordinal);
        foreach (var instance in pending)
        {
            var candidates = eligibleByRegion.GetValueOrDefault(instance.Demand.Region) ?? [];
            var counts = KindCounts(kindCounts, instance, eligibleByRegion);
            var best = ChooseHost(instance, candidates, counts);
            if (best is null)
            {
                unplaced.Add(Shortfall(instance, candidates));
                continue;
            }

            best.Take(instance);
            counts[best.Slot]++;
            assigned[instance] = (best, false);
        }

        var placements = instances
            .Where(assigned.ContainsKey)
            .Select(i => new InstancePlacement(
                i.Name, i.Demand.Region, i.Demand.Kind, i.Index, assigned[i].Host.Facts.Name, assigned[i].Kept))
            .OrderBy(p => p.Instance, StringComparer.Ordinal)
            .ToList();
        var placedOn = placements.ToLookup(p => p.Host, p => p.Instance, StringComparer.Ordinal);
        var byHost = hosts.ToDictionary(
            h => h.Facts.Name,
            h => (IReadOnlyList<string>)placedOn[h.Facts.Name].ToList(),
            StringComparer.Ordinal);
        var allocation = hosts
            .Select(h => new HostAllocation(
                h.Facts.Name,
                h.Facts.Region,
                h.Facts.Dedicated,
                h.Eligible,
                h.AllocatableCpuMilli / MilliPerCore,
                h.AllocatableMemoryMb,
                h.UsedCpuMilli / MilliPerCore,
                h.UsedMemoryMb,
                byHost[h.Facts.Name]))
            .ToList();
        unplaced.Sort((a, b) => string.CompareOrdinal(a.Instance, b.Instance));
        return new PlacementPlan(unplaced.Count == 0, placements, byHost, unplaced, allocation);
    }

    private static bool IsEligible(HostFacts host, PlacementTarget target, HashSet<string> excluded) =>
        !excluded.Contains(host.Name) && host.Dedicated == (target == PlacementTarget.Dedicated);

    private static HostState? ChooseHost(Instance instance, HostState[] candidates, int[] counts)
    {
        HostState? best = null;
        var bestCount = int.MaxValue;
        var bestRoom = double.MinValue;
        foreach (var host in candidates)
        {
            if (!host.Fits(instance))
            {
                continue;
            }

            // Fewer replicas of this kind first: two replicas share a host only when no other host fits.
            var count = counts[host.Slot];
            var room = host.RoomAfter(instance);
            if (count < bestCount || (count == bestCount && room > bestRoom))
            {
                best = host;
                bestCount = count;
                bestRoom = room;
            }
        }

        return best;
    }

    private static UnplacedInstance Shortfall(Instance instance, HostState[] candidates)
    {
        HostState? best = null;
        var bestScore = double.MaxValue;
        long bestCpu = 0;
        long bestMemory = 0;
        foreach (var host in candidates)
        {
            var shortCpu = Math.Max(0, instance.CpuMilli - host.FreeCpuMilli);
            var shortMemory = Math.Max(0, instance.MemoryMb - host.FreeMemoryMb);

            // Each shortfall relative to the request, so a host short of 1 MB beats one short of half a core.
            var score = Ratio(shortCpu, instance.CpuMilli) + Ratio(shortMemory, instance.MemoryMb);
            if (score < bestScore)
            {
                best = host;
                bestScore = score;
                bestCpu = shortCpu;
                bestMemory = shortMemory;
            }
        }

        return new UnplacedInstance(
            instance.Name, instance.Demand.Region, instance.Demand.Kind, instance.Index, best?.Facts.Name,
            bestCpu / MilliPerCore, bestMemory);
    }

    private static double Ratio(long part, long whole) => whole == 0 ? (part == 0 ? 0 : 1) : (double)part / whole;

    private static int[] KindCounts(
        Dictionary<(string Region, string Kind), int[]> kindCounts,
        Instance instance,
        Dictionary<string, HostState[]> eligibleByRegion)
    {
        var key = (instance.Demand.Region, instance.Demand.Kind);
        if (!kindCounts.TryGetValue(key, out var counts))
        {
            counts = new int[eligibleByRegion.GetValueOrDefault(instance.Demand.Region)?.Length ?? 0];
            kindCounts[key] = counts;
        }

        return counts;
    }

    private static List<Instance> Expand(IReadOnlyList<WorkerDemand> workers)
    {
        var instances = new List<Instance>();
        foreach (var demand in workers
                     .OrderBy(w => w.Region, StringComparer.Ordinal)
                     .ThenBy(w => w.Kind, StringComparer.Ordinal))
        {
            var cpu = ToMilli(demand.Cpu);
            for (var index = 1; index <= demand.Replicas; index++)
            {
                instances.Add(new Instance(demand, index, demand.InstanceName(index), cpu, demand.MemoryMb));
            }
        }

        return instances;
    }

    internal static long ToMilli(double cores) => (long)Math.Round(cores * MilliPerCore, MidpointRounding.AwayFromZero);

    private static void Validate(PlacementRequest request)
    {
        if (request.SafetyMargin is < 0 or >= 1 || double.IsNaN(request.SafetyMargin))
        {
            throw new PlacementInputException($"safety_margin must be in [0, 1), got {request.SafetyMargin}.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in request.Hosts)
        {
            if (string.IsNullOrWhiteSpace(host.Name) || string.IsNullOrWhiteSpace(host.Region))
            {
                throw new PlacementInputException("Every host needs a name and a region.");
            }

            if (!names.Add(host.Name))
            {
                throw new PlacementInputException($"Host '{host.Name}' is listed twice.");
            }

            if (host.CpuCores < 0 || host.MemoryMb < 0 || host.MemoryAvailableMb < 0 || host.Load1 < 0
                || host.FleetCpu < 0 || host.FleetMemoryMb < 0 || host.ReserveCpu < 0 || host.ReserveMemoryMb < 0)
            {
                throw new PlacementInputException($"Host '{host.Name}' has a negative capacity, use or reserve.");
            }
        }

        foreach (var name in request.Exclude)
        {
            if (!names.Contains(name))
            {
                throw new PlacementInputException($"Excluded host '{name}' is not in the inventory.");
            }
        }

        var kinds = new HashSet<(string, string)>();
        foreach (var worker in request.Workers)
        {
            if (string.IsNullOrWhiteSpace(worker.Region) || string.IsNullOrWhiteSpace(worker.Kind))
            {
                throw new PlacementInputException("Every worker needs a region and a kind.");
            }

            if (!kinds.Add((worker.Region, worker.Kind)))
            {
                throw new PlacementInputException($"Worker kind '{worker.Kind}' is listed twice in region '{worker.Region}'.");
            }

            if (worker.Replicas < 0 || worker.Cpu < 0 || worker.MemoryMb < 0)
            {
                throw new PlacementInputException($"Worker '{worker.Kind}' in '{worker.Region}' has a negative replica count or request.");
            }
        }
    }

    private sealed record Instance(WorkerDemand Demand, int Index, string Name, long CpuMilli, long MemoryMb);

    private sealed class HostState
    {
        public HostState(HostFacts facts, bool eligible, double margin)
        {
            Facts = facts;
            Eligible = eligible;

            // Our own containers are part of the measured use; they are counted once, as placed requests.
            var donorMemory = Math.Max(0, facts.MemoryMb - facts.MemoryAvailableMb - facts.FleetMemoryMb);
            var donorCpu = Math.Max(0, facts.Load1 - facts.FleetCpu);
            AllocatableMemoryMb = Math.Max(
                0, facts.MemoryMb - donorMemory - facts.ReserveMemoryMb - (long)Math.Ceiling(margin * facts.MemoryMb));
            AllocatableCpuMilli = Math.Max(
                0, ToMilli(facts.CpuCores) - ToMilli(donorCpu) - ToMilli(facts.ReserveCpu) - ToMilli(margin * facts.CpuCores));
        }

        public HostFacts Facts { get; }

        public bool Eligible { get; }

        public int Slot { get; set; }

        public long AllocatableCpuMilli { get; }

        public long AllocatableMemoryMb { get; }

        public long UsedCpuMilli { get; private set; }

        public long UsedMemoryMb { get; private set; }

        public long FreeCpuMilli => AllocatableCpuMilli - UsedCpuMilli;

        public long FreeMemoryMb => AllocatableMemoryMb - UsedMemoryMb;

        public bool Fits(Instance instance) =>
            instance.CpuMilli <= FreeCpuMilli && instance.MemoryMb <= FreeMemoryMb;

        /// <summary>The scarcer of the two resources' free fraction once the instance is placed.</summary>
        public double RoomAfter(Instance instance) => Math.Min(
            Ratio(FreeCpuMilli - instance.CpuMilli, AllocatableCpuMilli),
            Ratio(FreeMemoryMb - instance.MemoryMb, AllocatableMemoryMb));

        public void Take(Instance instance)
        {
            UsedCpuMilli += instance.CpuMilli;
            UsedMemoryMb += instance.MemoryMb;
        }
    }
}
