using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting;

/// <summary>
/// First step of the stop order: every <see cref="IHostedLifecycleService.StoppingAsync"/> runs before any
/// hosted service's StopAsync, including Kestrel's, so here the worker still accepts requests while
/// <c>/readyz</c> says 503 and HAProxy's health check moves traffic away. Kestrel's StopAsync then stops
/// accepting and waits for in-flight requests; NATS closes in StoppedAsync, after everything else.
/// </summary>
internal sealed partial class DrainService(DrainState drain, IOptions<FleetOptions> options, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        drain.Begin();
        LogDraining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown budget ran out (or a second signal arrived): stop now rather than overrun it.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: reporting not ready for {DrainDelaySeconds}s before closing the listener")]
    private static partial void LogDraining(ILogger logger, double drainDelaySeconds);
}
