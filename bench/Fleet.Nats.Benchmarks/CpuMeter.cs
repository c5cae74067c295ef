namespace Fleet.Nats.Benchmarks;

/// <summary>
/// CPU time of this process and, when it is ours, of the nats-server, around a timed section. On a machine shared
/// with other work, wall-clock rates swing with everyone else's load, while CPU time per message mostly does not:
/// it shows what each side costs, not how much of the machine it happened to get.
/// </summary>
internal sealed class CpuMeter(NatsServerProcess? server)
{
    public CpuSample Sample() => new(Environment.CpuUsage.TotalTime, server?.TotalProcessorTime);

    /// <summary>The CPU used since <paramref name="start"/>.</summary>
    public CpuUsage Since(CpuSample start)
    {
        var now = Sample();
        return new CpuUsage(now.Bench - start.Bench, now.Server - start.Server);
    }
}
