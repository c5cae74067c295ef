using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// What clients do while a playbook changes the fleet: the bench's mixed scenario (bench/scenarios/mixed.json)
/// through the ingress, and chat senders in one room that reconnect and resend as real clients do. After the
/// change it checks what a client would notice: failed requests, and acknowledged chat messages that are not
/// stored exactly once.
/// </summary>
internal static class TrafficDuringChange
{
    // Open-model arrivals per second: enough for hundreds of requests per playbook run, little enough that the
    // shared 2-core machine still starts the new containers on time (10 s request timeout).
    private const double MixedRate = 30;
    private const int ChatSenders = 4;

    public static async Task<TrafficReport> RunAsync(
        Uri ingress, string loadRunnerDll, Func<Task<PlayRecap>> change, CancellationToken cancellationToken)
    {
        var room = $"move-{Guid.NewGuid():N}"[..24];
        var tokens = new List<string>();
        for (var i = 0; i < ChatSenders; i++)
        {
            tokens.Add(await RegisterAsync(ingress, $"mover{i}", cancellationToken));
        }

        await using var runner = LoadRunnerProcess.Start(loadRunnerDll, ingress, "mixed", MixedRate, TimeSpan.FromMinutes(20));
        var senders = tokens.Select((token, i) => new ChatSender(ingress, token, room, $"s{i}", TimeSpan.FromMinutes(20))).ToList();
        try
        {
            await runner.WaitUntilLoadingAsync(cancellationToken);

            // Every sender has a session and an ack before the change, so the change meets live sessions.
            for (var i = 0; i < 600 && senders.Any(s => s.Acked.Count == 0); i++)
            {
                Assert.True(senders.All(s => s.Problems.Count == 0), string.Join(" | ", senders.SelectMany(s => s.Problems)));
                await Task.Delay(100, cancellationToken);
            }

            Assert.True(senders.All(s => s.Acked.Count > 0), "chat senders got no ack before the change: " + string.Join("; ", senders.Select(s => s.Describe())));
            var changing = Stopwatch.StartNew();
            var recap = await change();
            var took = changing.Elapsed;
            var mixed = await runner.StopAsync(cancellationToken);
            foreach (var sender in senders)
            {
                await sender.StopAsync();
            }

            var history = await ChatHistory.ReadAllAsync(ingress, tokens[0], room, cancellationToken);
            return new TrafficReport(recap, took, mixed, senders.Select(Summarise).ToList(), history);
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }

    private static ChatSenderSummary Summarise(ChatSender sender) =>
        new(sender.Describe(), sender.Acked, sender.Problems, sender.ToldToReconnect);

    private static async Task<string> RegisterAsync(Uri ingress, string name, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = ingress, Timeout = TimeSpan.FromSeconds(20) };
        var email = $"{name}-{Guid.NewGuid():N}@example.test";
        const string password = "end to end password";
        using var registered = await client.PostAsJsonAsync("/api/v1/accounts", new { email, password, displayName = name }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await client.PostAsJsonAsync("/api/v1/tokens", new { email, password }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }
}
