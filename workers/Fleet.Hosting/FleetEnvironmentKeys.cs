namespace Fleet.Hosting;

/// <summary>
/// Maps <c>FLEET_…</c> variable names onto configuration keys: the flag names (<c>FLEET_REGION</c>,
/// <c>FLEET_NATS</c>, <c>FLEET_MYSQL</c>, <c>FLEET_HTTP</c>, <c>FLEET_LOG_DIR</c>), any other single name onto
/// the Fleet section (<c>FLEET_DRAIN_DELAY</c> → <c>Fleet:DRAINDELAY</c>, binding is case-insensitive), and
/// <c>__</c> for any section (<c>FLEET_NATS__PINGINTERVAL</c> → <c>NATS:PINGINTERVAL</c>).
/// </summary>
internal static class FleetEnvironmentKeys
{
    /// <summary>The configuration key for a variable, or null when the variable is not Fleet's.</summary>
    public static string? Map(string name)
    {
        if (!name.StartsWith(FleetConfigurationKeys.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
            || name.Length == FleetConfigurationKeys.EnvironmentPrefix.Length)
        {
            return null;
        }

        var rest = name[FleetConfigurationKeys.EnvironmentPrefix.Length..];
        if (rest.Contains("__", StringComparison.Ordinal))
        {
            return rest.Replace("__", ":", StringComparison.Ordinal);
        }

        return rest.ToUpperInvariant() switch
        {
            "HTTP" => FleetConfigurationKeys.Urls,
            "NATS" => FleetConfigurationKeys.NatsServers,
            "MYSQL" => FleetConfigurationKeys.MySqlConnectionString,
            "LOG_DIR" => "Fleet:LogDirectory",

            // Kind is the worker's identity in code; letting the environment rename it would mislabel logs.
            "KIND" => null,
            _ => "Fleet:" + rest.Replace("_", string.Empty, StringComparison.Ordinal),
        };
    }

    /// <summary>A <c>.env</c> key: Fleet's names as above, any other name with <c>__</c> as the section separator.</summary>
    public static string MapDotEnv(string name) =>
        name.StartsWith(FleetConfigurationKeys.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
            ? Map(name) ?? name
            : name.Replace("__", ":", StringComparison.Ordinal);
}
