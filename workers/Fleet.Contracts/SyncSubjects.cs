namespace Fleet.Contracts;

/// <summary>
/// Subjects of region replication between sync workers: a region's sync workers answer
/// <c>sync.replicate.&lt;region&gt;</c> on their own NATS, in queue group <see cref="QueueGroup"/>; other regions'
/// shippers send <see cref="ReplicationBatch"/> requests there and get a <see cref="ReplicationAck"/>.
/// </summary>
public static class SyncSubjects
{
    /// <summary>The queue group of a region's sync workers, so each batch is applied by one of them.</summary>
    public const string QueueGroup = "sync";

    /// <summary>The subject a region receives replicated changes on.</summary>
    /// <param name="region">The receiving region.</param>
    public static string Replicate(string region) => $"sync.replicate.{region}";
}
