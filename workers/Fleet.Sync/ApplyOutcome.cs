namespace Fleet.Sync;

/// <summary>What applying one change did.</summary>
internal enum ApplyOutcome
{
    /// <summary>Stored as the entity's newest version.</summary>
    Applied,

    /// <summary>The event id was applied before; nothing changed.</summary>
    Duplicate,

    /// <summary>An equal or newer version is already known; nothing changed.</summary>
    Stale,
}
