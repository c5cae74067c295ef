namespace Fleet.EndToEnd.Tests;

/// <summary>The playbook's recap and what the clients saw meanwhile; the asserts every fleet change must pass.</summary>
internal sealed record TrafficReport(
    PlayRecap Recap, TimeSpan ChangeTime, LoadRunReport Mixed, IReadOnlyList<ChatSenderSummary> Chat, IReadOnlyList<ChatHistoryEntry> History)
{
    // Each sender acks several messages a second; fewer than this over a whole playbook run means chat stalled.
    private const int AckedFloor = 20;

    public int ToldToReconnect => Chat.Sum(s => s.ToldToReconnect);

    public string Describe() =>
        $"playbook {ChangeTime.TotalSeconds:0} s, changed={Recap.Changed}; mixed scenario (step requests/errors): {Mixed.Describe()}; chat senders: "
        + string.Join("; ", Chat.Select(s => s.Description)) + $"; room history {History.Count} messages";

    /// <summary>Zero failed requests in the mixed scenario, and every acknowledged chat message stored exactly once.</summary>
    public void AssertNoClientNoticed()
    {
        // The scenario's own chat step is reported, not asserted: it counts a message whose socket the drain closed
        // as an error and does not resend it; the chat senders below are the clients that must lose nothing.
        Assert.True(Mixed.HttpRequests > 100, $"only {Mixed.HttpRequests} HTTP requests of the mixed scenario ran during the change: {Describe()}");
        Assert.True(Mixed.HttpErrors == 0, $"{Mixed.HttpErrors} of {Mixed.HttpRequests} HTTP requests of the mixed scenario failed: {Describe()}\n{Mixed.Markdown}");

        Assert.True(Chat.All(s => s.Problems.Count == 0), "chat problems: " + string.Join(" | ", Chat.SelectMany(s => s.Problems)));
        var stored = History.GroupBy(e => e.ClientMsgId).ToDictionary(g => g.Key, g => g.Select(e => e.Offset).ToList());
        var acked = Chat.SelectMany(s => s.Acked).ToList();
        Assert.True(acked.Count > AckedFloor, $"only {acked.Count} chat messages were acknowledged: {Describe()}");
        var lost = acked.Where(a => !stored.ContainsKey(a.Key)).Select(a => a.Key).ToList();
        var doubled = acked.Where(a => stored.TryGetValue(a.Key, out var offsets) && offsets.Count > 1).Select(a => a.Key).ToList();
        var moved = acked.Where(a => stored.TryGetValue(a.Key, out var offsets) && offsets.Count == 1 && offsets[0] != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged chat messages are not in the history: {string.Join(", ", lost.Take(10))}");
        Assert.True(doubled.Count == 0, $"{doubled.Count} acknowledged chat messages are stored more than once: {string.Join(", ", doubled.Take(10))}");
        Assert.True(moved.Count == 0, $"{moved.Count} acknowledged chat messages are stored at another offset than acked: {string.Join(", ", moved.Take(10))}");
    }
}
