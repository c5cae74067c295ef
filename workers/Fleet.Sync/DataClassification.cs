namespace Fleet.Sync;

/// <summary>
/// Decides what is personal data. Personal data is served only to its owner and never leaves its region; the
/// entity kind decides, and the event's own flag can only make data more private, never less.
/// </summary>
internal static class DataClassification
{
    public const long PublicScope = 0;

    // Personal data without a known owner: kept, served to nobody, never shipped.
    public const long NobodyScope = -1;

    private static readonly HashSet<string> PersonalEntities = new(StringComparer.Ordinal) { "account", "profile" };

    private static readonly HashSet<string> PublicEntities = new(StringComparer.Ordinal) { "topic", "post", "announcement" };

    public static bool IsPersonal(string entity, bool flaggedPersonal) =>
        flaggedPersonal || PersonalEntities.Contains(entity) || !PublicEntities.Contains(entity);

    /// <summary>The scope a change is stored under.</summary>
    public static long ScopeOf(string entity, long entityId, bool flaggedPersonal)
    {
        if (!IsPersonal(entity, flaggedPersonal))
        {
            return PublicScope;
        }

        // An account's profile belongs to the account itself.
        return entity == "account" ? entityId : NobodyScope;
    }

    /// <summary>Whether a stored change may be shipped to another region.</summary>
    public static bool MayLeaveRegion(ChangeRow row) => row.Scope == PublicScope && !IsPersonal(row.Entity, flaggedPersonal: false);
}
