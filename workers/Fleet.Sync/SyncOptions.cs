using System.ComponentModel.DataAnnotations;

namespace Fleet.Sync;

/// <summary>The sync worker's settings (section <c>Sync</c>, environment <c>FLEET_SYNC__…</c>).</summary>
internal sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>The JetStream stream the API's outbox relay publishes domain events to.</summary>
    [Required]
    public string EventStream { get; set; } = Contracts.EventSubjects.DefaultStream;

    [Required]
    public string EventSubjectPrefix { get; set; } = Contracts.EventSubjects.DefaultPrefix;

    /// <summary>The durable consumer name; every sync instance of a region shares it, so each event is applied by one.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string ConsumerName { get; set; } = "sync";

    [Range(1, 500)]
    public int DefaultPageSize { get; set; } = 100;

    // 500 is the page the issue measures; larger pages only make one response slower without saving round trips.
    [Range(1, 500)]
    public int MaxPageSize { get; set; } = 500;

    // Offline clients batch; 50 is the bench's batch and a bound on how long one request holds the client's seq lock.
    [Range(1, 1000)]
    public int MaxBatchSize { get; set; } = 50;

    /// <summary>Clients that pulled within this window hold the tombstone purge back; older ones must resync.</summary>
    public TimeSpan RetentionWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Tombstones younger than this are kept even when every active client has them.</summary>
    public TimeSpan TombstoneMinAge { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a forwarded mutation waits for the API's answer over NATS.</summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Other regions to replicate public changes to, as <c>region=nats://host:port</c> pairs separated by commas
    /// or semicolons. Empty: no replication.
    /// </summary>
    public string Peers { get; set; } = string.Empty;

    public TimeSpan ReplicationInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 1000)]
    public int ReplicationBatchSize { get; set; } = 200;

    public IReadOnlyDictionary<string, string> ParsedPeers()
    {
        var peers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Peers.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                throw new FormatException($"Sync:Peers entry '{pair}' is not region=nats://host:port.");
            }

            peers[pair[..equals]] = pair[(equals + 1)..];
        }

        return peers;
    }
}
