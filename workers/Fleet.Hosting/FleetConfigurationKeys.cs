namespace Fleet.Hosting;

/// <summary>Configuration keys that the command line and <c>FLEET_…</c> variables map onto.</summary>
public static class FleetConfigurationKeys
{
    /// <summary>ASP.NET Core's listen addresses (what <c>--http</c> sets).</summary>
    public const string Urls = "urls";

    /// <summary>NATS servers as one comma-separated value (what <c>--nats</c> sets).</summary>
    public const string NatsServers = "Nats:Servers";

    /// <summary>The MySQL connection string (what <c>--mysql</c> sets).</summary>
    public const string MySqlConnectionString = "MySql:ConnectionString";

    /// <summary>The worker kind, set in code by <c>AddFleetDefaults</c>.</summary>
    public const string Kind = "Fleet:Kind";

    /// <summary>The prefix of environment variables (and <c>.env</c> keys) that Fleet maps.</summary>
    public const string EnvironmentPrefix = "FLEET_";
}
