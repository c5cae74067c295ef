namespace Fleet.EndToEnd.Tests;

/// <summary>One stored chat message as the history pages list it.</summary>
internal sealed record ChatHistoryEntry(long Offset, string Sender, string ClientMsgId);
