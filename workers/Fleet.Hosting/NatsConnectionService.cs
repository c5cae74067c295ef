using Fleet.Nats;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Hosting;

/// <summary>
/// Connects the shared <see cref="NatsConnection"/> in the background, retrying with capped backoff, because a
/// worker must come up (and answer <c>/healthz</c>) while NATS is down; <c>/readyz</c> stays 503 meanwhile.
/// Once connected the client reconnects by itself; this only steps in again if it gives up (Closed).
/// The connection is drained in <see cref="StoppedAsync"/>, after every hosted service (Kestrel, relays,
/// consumers) has stopped, because they may still publish while finishing in-flight work.
/// </summary>
internal sealed partial class NatsConnectionService(NatsConnection connection, ILogger<NatsConnectionService> logger)
    : IHostedLifecycleService, IDisposable
{
    /// <summary>First retry delay: short, NATS often starts a moment after the workers in a fleet bring-up.</summary>
    internal static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest retry delay: bounds how long the worker stays not ready after NATS comes back.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => ConnectLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();

        // The loop observes the token inside ConnectAsync and Task.Delay, so this wait is short.
        await _loop;
        await connection.DisposeAsync();
        LogClosed(logger);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task ConnectLoopAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (connection.State == NatsConnectionState.Closed)
            {
                try
                {
                    await connection.ConnectAsync(stoppingToken);
                    delay = MaxRetryDelay;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
#pragma warning disable CA1031 // Whatever stopped this attempt, the next one may succeed; the worker stays not ready meanwhile.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogRetrying(logger, delay.TotalSeconds, ex.Message);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }

            try
            {
                // Jitter keeps a fleet of workers from hammering a NATS server that just came back, in step.
                await Task.Delay(delay * (0.75 + (Random.Shared.NextDouble() / 2)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "NATS is not reachable yet, retrying within {RetryDelaySeconds}s: {Reason}")]
    private static partial void LogRetrying(ILogger logger, double retryDelaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "NATS connection drained and closed")]
    private static partial void LogClosed(ILogger logger);
}
