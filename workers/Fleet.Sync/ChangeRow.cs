namespace Fleet.Sync;

/// <summary>One row of the change log: an entity's newest version, a put or a tombstone.</summary>
internal sealed class ChangeRow
{
    public const int Put = 1;
    public const int Delete = 2;

    public long ChangeId { get; set; }

    public string Entity { get; set; } = string.Empty;

    public string OriginRegion { get; set; } = string.Empty;

    public long EntityId { get; set; }

    public int Version { get; set; }

    public int Op { get; set; }

    /// <summary>0 for public data, otherwise the owning account id.</summary>
    public long Scope { get; set; }

    public string? Data { get; set; }

    public DateTime ChangedAt { get; set; }
}
