namespace Fleet.Data;

/// <summary>The Dapper settings every worker uses; applied once by <see cref="DataHostingExtensions"/>.</summary>
public static class DapperConventions
{
    /// <summary>
    /// Maps <c>snake_case</c> columns onto <c>PascalCase</c> members (<c>created_at</c> → <c>CreatedAt</c>), so
    /// SQL keeps MySQL's naming and C# keeps .NET's without an alias in every query. Dapper's static settings
    /// are process-wide; setting them again is harmless.
    /// </summary>
    public static void Apply() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
