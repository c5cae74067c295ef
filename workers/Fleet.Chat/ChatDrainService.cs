using System.Net.WebSockets;
using Fleet.Hosting;
using Microsoft.Extensions.Options;

namespace Fleet.Chat;

/// <summary>
/// Says goodbye to every client when draining starts (SIGTERM): a <c>reconnect</c> frame with a random delay
/// hint, so thousands of clients do not reconnect in the same instant, then close code 1012 (service restart).
/// It runs again when the host stops, for sessions accepted in the meantime.
/// </summary>
internal sealed partial class ChatDrainService(
    DrainState drain,
    ConnectionRegistry registry,
    IOptions<ChatOptions> options,
    ILogger<ChatDrainService> logger) : IHostedLifecycleService
{
    /// <summary>RFC 6455 §7.4.1 as registered by IANA: the service is restarting, reconnect.</summary>
    public const int ServiceRestart = 1012;

    private CancellationTokenRegistration _registration;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = drain.Draining.Register(CloseAll);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CloseAll();
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken) => await _registration.DisposeAsync();

    private void CloseAll()
    {
        var connections = registry.Snapshot();
        var jitter = (long)options.Value.ReconnectJitter.TotalMilliseconds;
        LogClosing(logger, connections.Count);
        foreach (var connection in connections)
        {
            var retryAfter = jitter == 0 ? 0 : Random.Shared.NextInt64(jitter + 1);
            connection.RequestClose((WebSocketCloseStatus)ServiceRestart, "server restarting", ServerFrames.Reconnect(retryAfter), dropQueued: false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: closing {ConnectionCount} chat connections with 1012")]
    private static partial void LogClosing(ILogger logger, int connectionCount);
}
