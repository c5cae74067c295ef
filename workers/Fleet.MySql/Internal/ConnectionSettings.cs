using System.Data.Common;
using System.Globalization;

namespace Fleet.MySql.Internal;

/// <summary>
/// A parsed, validated connection string (MySqlConnector keywords). Immutable, so one instance is shared by every
/// connection of a pool.
/// </summary>
internal sealed class ConnectionSettings
{
    private ConnectionSettings(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Host names or IP addresses tried in order; empty when <see cref="UnixSocket"/> is set.</summary>
    public IReadOnlyList<string> Hosts { get; private set; } = [];

    public string? UnixSocket { get; private set; }

    public int Port { get; private set; } = 3306;

    public string Database { get; private set; } = string.Empty;

    public string UserId { get; private set; } = string.Empty;

    public string Password { get; private set; } = string.Empty;

    public MySqlSslMode SslMode { get; private set; } = MySqlSslMode.Preferred;

    public bool Pooling { get; private set; } = true;

    public int MinimumPoolSize { get; private set; }

    public int MaximumPoolSize { get; private set; } = 100;

    /// <summary>Seconds a connection may live before the pool retires it; 0 means forever.</summary>
    public int ConnectionLifetime { get; private set; }

    public int ConnectionTimeout { get; private set; } = 15;

    public int DefaultCommandTimeout { get; private set; } = 30;

    /// <summary>Seconds an idle pooled connection is kept; older ones are closed instead of handed out.</summary>
    public int ConnectionIdleTimeout { get; private set; } = 180;

    /// <summary>Whether a pooled session dirtied by SET, USE, a transaction etc. is reset before reuse.</summary>
    public bool ConnectionReset { get; private set; } = true;

    public bool AllowUserVariables { get; private set; }

    public bool AllowPublicKeyRetrieval { get; private set; }

    public bool UseAffectedRows { get; private set; }

    /// <summary>Enables CLIENT_MULTI_STATEMENTS; off by default so one command can never carry a second statement.</summary>
    public bool AllowBatch { get; private set; }

    public bool TreatTinyAsBoolean { get; private set; } = true;

    public string? ApplicationName { get; private set; }

    /// <summary>PEM file of the CA that VerifyCA/VerifyFull trust, instead of the machine's root store.</summary>
    public string? SslCa { get; private set; }

    /// <summary>Settings for a short-lived side connection (KILL QUERY): no database, no pooling, a short connect timeout.</summary>
    public ConnectionSettings ForSideConnection()
    {
        var copy = (ConnectionSettings)MemberwiseClone();
        copy.Database = string.Empty;
        copy.Pooling = false;

        // Cancellation must not wait as long as a normal open: the abort fallback follows soon after.
        copy.ConnectionTimeout = Math.Clamp(ConnectionTimeout, 1, 5);
        return copy;
    }

    public static ConnectionSettings Parse(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var settings = new ConnectionSettings(connectionString);
        var protocol = "socket";
        foreach (string key in builder.Keys)
        {
            var value = Convert.ToString(builder[key], CultureInfo.InvariantCulture) ?? string.Empty;
            switch (Normalize(key))
            {
                case "server" or "host" or "datasource" or "address" or "addr" or "networkaddress":
                    settings.Hosts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "port":
                    settings.Port = ParseInt(key, value, 1, 65535);
                    break;
                case "database" or "initialcatalog":
                    settings.Database = value;
                    break;
                case "userid" or "uid" or "user" or "username":
                    settings.UserId = value;
                    break;
                case "password" or "pwd":
                    settings.Password = value;
                    break;
                case "sslmode":
                    settings.SslMode = ParseSslMode(value);
                    break;
                case "pooling":
                    settings.Pooling = ParseBool(key, value);
                    break;
                case "minimumpoolsize" or "minpoolsize":
                    settings.MinimumPoolSize = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "maximumpoolsize" or "maxpoolsize":
                    settings.MaximumPoolSize = ParseInt(key, value, 1, int.MaxValue);
                    break;
                case "connectionlifetime" or "connectionlifetimeseconds":
                    settings.ConnectionLifetime = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "connectiontimeout" or "connecttimeout":
                    settings.ConnectionTimeout = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "defaultcommandtimeout" or "commandtimeout":
                    settings.DefaultCommandTimeout = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "connectionidletimeout":
                    settings.ConnectionIdleTimeout = ParseInt(key, value, 0, int.MaxValue);
                    break;
                case "connectionreset":
                    settings.ConnectionReset = ParseBool(key, value);
                    break;
                case "allowuservariables":
                    settings.AllowUserVariables = ParseBool(key, value);
                    break;
                case "allowpublickeyretrieval":
                    settings.AllowPublicKeyRetrieval = ParseBool(key, value);
                    break;
                case "useaffectedrows":
                    settings.UseAffectedRows = ParseBool(key, value);
                    break;
                case "allowbatch":
                    settings.AllowBatch = ParseBool(key, value);
                    break;
                case "treattinyasboolean":
                    settings.TreatTinyAsBoolean = ParseBool(key, value);
                    break;
                case "sslca" or "cacertificatefile":
                    settings.SslCa = value;
                    break;
                case "applicationname":
                    settings.ApplicationName = value;
                    break;
                case "characterset" or "charset":
                    // The client always speaks utf8mb4; anything else would silently corrupt text.
                    if (!value.Equals("utf8mb4", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ArgumentException($"Only CharacterSet=utf8mb4 is supported, not '{value}'.", nameof(connectionString));
                    }

                    break;
                case "protocol" or "connectionprotocol" or "transport":
                    protocol = value.ToUpperInvariant() switch
                    {
                        "SOCKET" or "TCP" or "TCPIP" => "socket",
                        "UNIX" or "UNIXSOCKET" => "unix",
                        _ => throw new ArgumentException($"Unsupported Protocol '{value}' (use Socket/TCP or Unix).", nameof(connectionString)),
                    };
                    break;
                default:
                    throw new ArgumentException($"Unknown connection string keyword '{key}'.", nameof(connectionString));
            }
        }

        if (settings.MinimumPoolSize > settings.MaximumPoolSize)
        {
            throw new ArgumentException("Minimum Pool Size must not exceed Maximum Pool Size.", nameof(connectionString));
        }

        if (settings.Hosts.Count == 0)
        {
            settings.Hosts = ["localhost"];
        }

        // MySqlConnector's rule: a server that looks like a path is a Unix socket.
        if (protocol == "unix" || settings.Hosts[0].StartsWith('/'))
        {
            settings.UnixSocket = settings.Hosts[0];
            settings.Hosts = [];
        }

        return settings;
    }

    private static string Normalize(string key) => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    private static int ParseInt(string key, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ArgumentException($"Connection string keyword '{key}' needs an integer in [{min}, {max}], not '{value}'.");
        }

        return number;
    }

    private static bool ParseBool(string key, string value) => value.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "1" => true,
        "FALSE" or "NO" or "0" => false,
        _ => throw new ArgumentException($"Connection string keyword '{key}' needs true or false, not '{value}'."),
    };

    private static MySqlSslMode ParseSslMode(string value) => value.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant() switch
    {
        "NONE" or "DISABLED" => MySqlSslMode.None,
        "PREFERRED" => MySqlSslMode.Preferred,
        "REQUIRED" => MySqlSslMode.Required,
        "VERIFYCA" => MySqlSslMode.VerifyCA,
        "VERIFYFULL" or "VERIFYIDENTITY" => MySqlSslMode.VerifyFull,
        _ => throw new ArgumentException($"Unknown SslMode '{value}'."),
    };
}
