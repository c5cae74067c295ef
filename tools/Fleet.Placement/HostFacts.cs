namespace Fleet.Placement;

/// <summary>
/// One inventory host as Ansible gathered it: its size, what the donor itself uses right now, the reserve the
/// donor keeps for itself, and how much of the measured use is our own fleet's (so our containers are not counted
/// twice: once as "donor use" and once as placed requests).
/// </summary>
internal sealed class HostFacts
{
    public string Name { get; init; } = "";

    public string Region { get; init; } = "";

    /// <summary>A dedicated server takes the region's fleet only when the plan targets dedicated hosts.</summary>
    public bool Dedicated { get; init; }

    public double CpuCores { get; init; }

    public long MemoryMb { get; init; }

    /// <summary>MemAvailable from the host's facts; the donor's use is <c>MemoryMb - MemoryAvailableMb - FleetMemoryMb</c>.</summary>
    public long MemoryAvailableMb { get; init; }

    /// <summary>The 1-minute load average: cores the donor keeps busy, our containers' share included.</summary>
    public double Load1 { get; init; }

    /// <summary>The part of <see cref="Load1"/> that our own containers cause (0 before the first bring-up).</summary>
    public double FleetCpu { get; init; }

    /// <summary>The part of the used memory that our own containers hold (0 before the first bring-up).</summary>
    public long FleetMemoryMb { get; init; }

    public double ReserveCpu { get; init; }

    public long ReserveMemoryMb { get; init; }
}
