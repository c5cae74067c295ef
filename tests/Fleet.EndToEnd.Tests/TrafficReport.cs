using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>The playbook's recap and what the clients saw meanwhile; the asserts every fleet change must pass.</summary>
internal sealed record TrafficReport(
    PlayRecap Recap, JsonElement MixedRun, IReadOnlyList<ChatSenderSummary> Chat, IReadOnlyList<ChatHistoryEntry> History)
{
    // Each sender acks several messages a second; fewer than this over a whole playbook run means chat stalled.
    private const int AckedFloor = 20;

    public long MixedRequests => MixedRun.GetProperty("latency").GetProperty("count").GetInt64();

    public int ToldToReconnect => Chat.Sum(s => s.ToldToReconnect);

    public string Describe() =>
        $"mixed: {MixedRequests} requests, errors {MixedRun.GetProperty("errors")}, {MixedRun.GetProperty("throughput")} req/s; chat: "
        + string.Join("; ", Chat.Select(s => s.Description)) + $"; room history {History.Count} messages";

    /// <summary>Zero failed requests in the mixed scenario, and every acknowledged chat message stored exactly once.</summary>
    public void AssertNoClientNoticed()
    {
        var errors = MixedRun.GetProperty("errors").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetInt64());
        Assert.True(MixedRequests > 100, $"only {MixedRequests} mixed requests ran during the change: {Describe()}");
        Assert.True(errors.Values.Sum() == 0, $"{errors.Values.Sum()} of {MixedRequests} mixed requests failed: {Describe()}");

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
