namespace Fleet.Api.Benchmarks;

/// <summary>
/// Samples the worker's thread pool while wrk runs (the worker is in this process). Starvation shows as work
/// items queueing while the pool injects threads beyond its minimum (the hill-climber's ~1 thread per 0.5 s);
/// a healthy async server keeps the queue near zero and the thread count near the core count.
/// </summary>
#pragma warning disable CA1001 // The token source is only cancelled, never registered with timers; dropping it to the GC is harmless.
internal sealed class ThreadPoolSampler : IAsyncDisposable
#pragma warning restore CA1001
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ThreadPoolSampler()
    {
        StartThreads = ThreadPool.ThreadCount;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    MaxPending = Math.Max(MaxPending, ThreadPool.PendingWorkItemCount);
                    MaxThreads = Math.Max(MaxThreads, ThreadPool.ThreadCount);
                    Samples++;
                    if (ThreadPool.PendingWorkItemCount > 0)
                    {
                        SamplesWithQueue++;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        });
    }

    public int StartThreads { get; }

    public int MaxThreads { get; private set; }

    public long MaxPending { get; private set; }

    public int Samples { get; private set; }

    public int SamplesWithQueue { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
    }
}
