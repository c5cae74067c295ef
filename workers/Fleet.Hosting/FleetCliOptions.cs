using CommandLine;

namespace Fleet.Hosting;

/// <summary>
/// The command-line options every worker accepts. A worker that needs more derives from this class, adds
/// <see cref="OptionAttribute"/> properties and overrides <see cref="WriteConfiguration"/> to map them onto
/// configuration keys, so flags stay the top layer of one configuration instead of a second settings path.
/// </summary>
public class FleetCliOptions
{
    /// <summary>The region this instance serves (<c>Fleet:Region</c>).</summary>
    [Option("region", HelpText = "Region this instance serves, e.g. eu (Fleet:Region, FLEET_REGION).")]
    public string? Region { get; set; }

    /// <summary>The instance name, usually the container name (<c>Fleet:Instance</c>).</summary>
    [Option("instance", HelpText = "Instance name, e.g. fleet-eu-api-1 (Fleet:Instance, FLEET_INSTANCE). Default: host name.")]
    public string? Instance { get; set; }

    /// <summary>The HTTP listen address, e.g. <c>http://0.0.0.0:8080</c> (<c>urls</c>).</summary>
    [Option("http", HelpText = "HTTP listen address, e.g. http://0.0.0.0:8080 (urls, FLEET_HTTP).")]
    public string? Http { get; set; }

    /// <summary>Comma-separated NATS server URLs (<c>Nats:Servers</c>).</summary>
    [Option("nats", HelpText = "Comma-separated NATS servers, e.g. nats://10.0.3.2:4222 (Nats:Servers, FLEET_NATS).")]
    public string? Nats { get; set; }

    /// <summary>The MySQL connection string (<c>MySql:ConnectionString</c>).</summary>
    [Option("mysql", HelpText = "MySQL connection string (MySql:ConnectionString, FLEET_MYSQL).")]
    public string? MySql { get; set; }

    /// <summary>The directory for the rolling JSON-lines log files (<c>Fleet:LogDirectory</c>).</summary>
    [Option("log-dir", HelpText = "Directory for rolling JSON-lines log files (Fleet:LogDirectory, FLEET_LOG_DIR). Default: ./logs.")]
    public string? LogDirectory { get; set; }

    /// <summary>A <c>.env</c> file that must exist; without it <c>./.env</c> is read when present.</summary>
    [Option("env-file", HelpText = "KEY=VALUE file read below environment variables; must exist. Default: ./.env when present.")]
    public string? EnvFile { get; set; }

    /// <summary>An extra JSON settings file layered over appsettings.json; it must exist.</summary>
    [Option("config", HelpText = "JSON settings file layered over appsettings.json; must exist.")]
    public string? Config { get; set; }

    /// <summary>
    /// Writes the flags that were given onto configuration keys. Overrides call the base method and add their
    /// own keys; a flag that was not given must write nothing, so lower layers keep their values.
    /// </summary>
    /// <param name="values">Configuration keys and values of the command-line layer.</param>
    public virtual void WriteConfiguration(IDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        AddIfGiven(values, "Fleet:Region", Region);
        AddIfGiven(values, "Fleet:Instance", Instance);
        AddIfGiven(values, FleetConfigurationKeys.Urls, Http);
        AddIfGiven(values, FleetConfigurationKeys.NatsServers, Nats);
        AddIfGiven(values, FleetConfigurationKeys.MySqlConnectionString, MySql);
        AddIfGiven(values, "Fleet:LogDirectory", LogDirectory);
    }

    /// <summary>
    /// Checks values the parser accepts but the worker cannot use. Overrides call the base method first.
    /// </summary>
    /// <returns>A one-line reason, or null when the options are usable.</returns>
    public virtual string? Validate()
    {
        // CommandLineParser turns a trailing "--region" with no value into an empty string, not an error.
        foreach (var property in GetType().GetProperties())
        {
            if (property.PropertyType == typeof(string)
                && property.GetCustomAttributes(typeof(OptionAttribute), inherit: true).FirstOrDefault() is OptionAttribute option
                && property.GetValue(this) is string { Length: 0 })
            {
                return $"--{option.LongName}: a value is required.";
            }
        }

        if (Http is not null && !IsHttpUrl(Http))
        {
            return $"--http: '{Http}' is not an absolute http:// or https:// URL such as http://0.0.0.0:8080.";
        }

        if (Nats is not null)
        {
            foreach (var server in Nats.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!IsNatsServer(server))
                {
                    return $"--nats: '{server}' is not a NATS server URL such as nats://127.0.0.1:4222.";
                }
            }
        }

        if (EnvFile is not null && !File.Exists(EnvFile))
        {
            return $"--env-file: '{EnvFile}' does not exist.";
        }

        if (Config is not null && !File.Exists(Config))
        {
            return $"--config: '{Config}' does not exist.";
        }

        return null;
    }

    /// <summary>Adds a key to the layer when the flag was given.</summary>
    /// <param name="values">The command-line layer.</param>
    /// <param name="key">The configuration key.</param>
    /// <param name="value">The flag's value, null when the flag was not given.</param>
    protected static void AddIfGiven(IDictionary<string, string?> values, string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (value is not null)
        {
            values[key] = value;
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    private static bool IsNatsServer(string value)
    {
        // Bare host:port is what people type; the NATS client accepts it, so the flag does too.
        var candidate = value.Contains("://", StringComparison.Ordinal) ? value : "nats://" + value;
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            && uri.Scheme is "nats" or "tls" or "ws" or "wss"
            && !string.IsNullOrEmpty(uri.Host);
    }
}
