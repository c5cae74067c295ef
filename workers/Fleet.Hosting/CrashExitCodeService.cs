using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Hosting;

/// <summary>
/// On .NET 10 a faulted <see cref="BackgroundService"/> stops the host but <c>RunAsync</c> returns normally,
/// so the process would exit 0 and the supervisor would not restart it. After every hosted service has
/// stopped, this looks for faulted ones and sets <see cref="Environment.ExitCode"/> to
/// <see cref="FleetExitCode.Crashed"/>, so no worker has to remember to do it in each ExecuteAsync.
/// </summary>
internal sealed partial class CrashExitCodeService(IServiceProvider services, ILogger<CrashExitCodeService> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not in the constructor: this service is itself one of the hosted services.
        foreach (var service in services.GetServices<IHostedService>().OfType<BackgroundService>())
        {
            if (service.ExecuteTask is { IsFaulted: true } task)
            {
                Environment.ExitCode = FleetExitCode.Crashed;
                LogCrashed(logger, task.Exception?.GetBaseException(), service.GetType().Name);
            }
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Background service {ServiceName} crashed; the process exits with code 1 so its supervisor restarts it")]
    private static partial void LogCrashed(ILogger logger, Exception? exception, string serviceName);
}
