namespace Fleet.EndToEnd.Tests;

/// <summary>What one chat sender saw during a change: its acks (clientMsgId → offset), problems and drain notices.</summary>
internal sealed record ChatSenderSummary(
    string Description, IReadOnlyDictionary<string, long> Acked, IReadOnlyList<string> Problems, int ToldToReconnect);
