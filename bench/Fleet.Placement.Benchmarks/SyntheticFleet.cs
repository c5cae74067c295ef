namespace Fleet.Placement.Benchmarks;

/// <summary>
/// A reproducible fleet: donors of mixed sizes and load (seeded), and worker kinds of mixed requests, sized so the
/// whole demand uses roughly half of the allocatable room, as a real fleet on spare capacity would.
/// </summary>
internal static class SyntheticFleet
{
    public static PlacementRequest Create(ScaleOptions options)
    {
        var random = new Random(20261121);
        var hosts = new List<HostFacts>(options.Hosts);
        for (var i = 0; i < options.Hosts; i++)
        {
            var cores = 8 << random.Next(0, 4); // 8, 16, 32 or 64 cores
            var memoryMb = cores * 4096L;
            hosts.Add(new HostFacts
            {
                Name = $"donor-{i:0000}",
                Region = $"r{i % options.Regions}",
                CpuCores = cores,
                MemoryMb = memoryMb,
                MemoryAvailableMb = (long)(memoryMb * (0.3 + (0.6 * random.NextDouble()))),
                Load1 = cores * 0.5 * random.NextDouble(),
                ReserveCpu = 1,
                ReserveMemoryMb = 2048,
            });
        }

        var workers = new List<WorkerDemand>();
        var perKind = options.Instances / (options.Regions * options.Kinds);
        for (var r = 0; r < options.Regions; r++)
        {
            for (var k = 0; k < options.Kinds; k++)
            {
                workers.Add(new WorkerDemand
                {
                    Region = $"r{r}",
                    Kind = $"kind{k:00}",
                    Replicas = perKind,
                    Cpu = 0.25 * (1 + (k % 4)),
                    MemoryMb = 256L << (k % 3),
                });
            }
        }

        return new PlacementRequest { SafetyMargin = 0.1, Hosts = hosts, Workers = workers };
    }
}
