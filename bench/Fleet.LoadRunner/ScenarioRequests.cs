namespace Fleet.LoadRunner;

/// <summary>
/// The engine's request function for a whole scenario: each request picks one step by weight and sends it the
/// step's way (HTTP request, chat message over the step's rooms, sync push batch). Chat rooms are connected and
/// joined when this is created, before the load's clock starts, and closed on dispose.
/// </summary>
public sealed class ScenarioRequests : IAsyncDisposable
{
    private readonly HttpScenario _http;
    private readonly SyncPushClients? _sync;
    private readonly Dictionary<StepDefinition, ChatFanOut> _chats;

    private ScenarioRequests(HttpScenario http, SyncPushClients? sync, Dictionary<StepDefinition, ChatFanOut> chats)
    {
        _http = http;
        _sync = sync;
        _chats = chats;
    }

    /// <summary>Builds the request function; <paramref name="http"/> carries the base address (also the chat ingress).</summary>
    public static async Task<ScenarioRequests> CreateAsync(
        HttpClient http, ScenarioDefinition scenario, ScenarioData data, string runId, bool anySuccess, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(data);
        var sync = scenario.Steps.Any(s => s.Kind == StepKind.SyncPush) ? new SyncPushClients(http, data, runId, anySuccess) : null;
        var chats = new Dictionary<StepDefinition, ChatFanOut>(ReferenceEqualityComparer.Instance);
        try
        {
            foreach (var step in scenario.Steps.Where(s => s.Kind == StepKind.Chat))
            {
                chats[step] = await ChatFanOut.ConnectAsync(http.BaseAddress!, step, [.. data.Users.Select(u => u.Token)], runId + "-" + chats.Count, cancellationToken);
            }
        }
        catch
        {
            foreach (var chat in chats.Values)
            {
                await chat.DisposeAsync();
            }

            throw;
        }

        return new ScenarioRequests(new HttpScenario(http, scenario, data, runId, anySuccess), sync, chats);
    }

    /// <summary>Sends request <paramref name="index"/>; never throws for a failed request, except on cancellation.</summary>
    public Task<RequestOutcome> SendAsync(long index, CancellationToken cancellationToken)
    {
        var step = _http.Pick();
        return step.Kind switch
        {
            StepKind.Chat => _chats[step].SendAsync(index, cancellationToken),
            StepKind.SyncPush => _sync!.SendAsync(step, index, cancellationToken),
            _ => _http.SendAsync(step, index, cancellationToken),
        };
    }

    /// <summary>Closes the chat rooms' sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var chat in _chats.Values)
        {
            await chat.DisposeAsync();
        }
    }
}
