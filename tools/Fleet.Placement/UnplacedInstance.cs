namespace Fleet.Placement;

/// <summary>
/// An instance no eligible host can take, with the host that came closest and what it lacks
/// (<see cref="ShortCpu"/> cores, <see cref="ShortMemoryMb"/> MB), so the operator knows how much to free.
/// </summary>
internal sealed record UnplacedInstance(
    string Instance, string Region, string Kind, int Index, string? BestHost, double ShortCpu, long ShortMemoryMb)
{
    public string Describe() => BestHost is null
        ? $"{Instance}: no eligible host in region '{Region}'"
        : $"{Instance}: does not fit; best host {BestHost} is short of {ShortCpu:0.###} cpu and {ShortMemoryMb} MB memory";
}
