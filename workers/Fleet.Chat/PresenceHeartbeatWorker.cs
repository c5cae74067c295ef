using Microsoft.Extensions.Options;

namespace Fleet.Chat;

/// <summary>Ticks every room's presence heartbeat, which also expires instances that stopped sending theirs.</summary>
internal sealed class PresenceHeartbeatWorker(RoomHub hub, IOptions<ChatOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PresenceInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                hub.Heartbeat();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
