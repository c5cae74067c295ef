namespace Fleet.Hosting.TestWorker;

/// <summary>Throws after the host has started, the way a worker loop dies on an unexpected error.</summary>
internal sealed class CrashingWorker(IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Waiting for ApplicationStarted makes this a crash of a running worker, not a failed start.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task;
        }

        throw new InvalidOperationException("Simulated crash of the test worker's background service.");
    }
}
