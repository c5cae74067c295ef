namespace Fleet.Placement;

/// <summary>Which hosts of a region may take its instances.</summary>
internal enum PlacementTarget
{
    /// <summary>Spare capacity on donor hosts (the normal case).</summary>
    Donors,

    /// <summary>The region's dedicated server(s) only: the "black swan" move.</summary>
    Dedicated,
}
