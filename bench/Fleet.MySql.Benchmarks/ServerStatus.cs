using System.Globalization;

namespace Fleet.MySql.Benchmarks;

/// <summary>
/// A snapshot of the server's global command counters (Questions, Connections, Com_*), read through Fleet.MySql on
/// its own unpooled connection so the read does not disturb either client's pool.
/// </summary>
internal sealed class ServerStatus
{
    private readonly Dictionary<string, long> _counters;

    private ServerStatus(Dictionary<string, long> counters) => _counters = counters;

    public static async Task<ServerStatus> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        var counters = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        await using var connection = new MySqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand(
            "SHOW GLOBAL STATUS WHERE Variable_name LIKE 'Com\\_%' OR Variable_name IN ('Questions', 'Connections')", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (long.TryParse(reader.GetString(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                counters[reader.GetString(0)] = value;
            }
        }

        return new ServerStatus(counters);
    }

    /// <summary>What the server counted between two snapshots, minus the snapshot's own SHOW STATUS and login.</summary>
    public static ServerDelta Between(ServerStatus before, ServerStatus after)
    {
        var commands = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in after._counters)
        {
            if (!name.StartsWith("Com_", StringComparison.OrdinalIgnoreCase) || name.Equals("Com_show_status", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var delta = value - before._counters.GetValueOrDefault(name);
            if (delta != 0)
            {
                commands[name] = delta;
            }
        }

        // The "after" snapshot's SHOW GLOBAL STATUS is counted in Questions and its login in Connections.
        return new ServerDelta(
            after._counters.GetValueOrDefault("Questions") - before._counters.GetValueOrDefault("Questions") - 1,
            after._counters.GetValueOrDefault("Connections") - before._counters.GetValueOrDefault("Connections") - 1,
            commands);
    }
}

/// <summary>Server-side counter deltas over one scenario run.</summary>
internal sealed record ServerDelta(long Questions, long Connections, SortedDictionary<string, long> Commands)
{
    /// <summary>All Com_* commands except the measurement's own SHOW STATUS.</summary>
    public long TotalCommands => Commands.Values.Sum();

    public string Describe() => string.Join(", ", Commands.Select(c => $"{c.Key}={c.Value.ToString(CultureInfo.InvariantCulture)}"));
}
