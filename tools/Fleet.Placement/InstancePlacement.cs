namespace Fleet.Placement;

/// <summary>One instance and the host it goes to; <see cref="Kept"/> when it already ran there.</summary>
internal sealed record InstancePlacement(string Instance, string Region, string Kind, int Index, string Host, bool Kept);
