using System.Diagnostics;

namespace Fleet.LoadRunner;

/// <summary>
/// Drives a request function under a <see cref="LoadModel"/> and records latencies.
/// Open model: request n is due at a fixed offset from the start whatever the server does; its latency is measured
/// from that intended time, so a stalled server shows up as latency of every request that should have started
/// during the stall (no coordinated omission), and a scheduler that falls behind sends the overdue requests at once
/// and counts them as late instead of skipping them.
/// </summary>
public sealed class LoadEngine
{
    /// <summary>Signature of one request: its index among all requests of the run, and a token that fires on timeout.</summary>
    public delegate Task<RequestOutcome> RequestFunc(long index, CancellationToken cancellationToken);

    /// <summary>A start later than this after its intended time counts as late (Task.Delay's resolution is ~1 ms).</summary>
    public static readonly TimeSpan LateThreshold = TimeSpan.FromMilliseconds(2);

    private readonly LoadModel _model;
    private readonly RequestFunc _request;
    private readonly MetricsRecorder _recorder = new();
    private long _start;
    private long _warmUpRequests;
    private long _lastCompletion;

    /// <summary>Creates an engine for one run.</summary>
    public LoadEngine(LoadModel model, RequestFunc request)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        _model = model;
        _request = request;
    }

    /// <summary>Called about once a second while running with (elapsed, snapshot) for a progress line.</summary>
    public Action<TimeSpan, MetricsSnapshot>? Progress { get; init; }

    /// <summary>Runs until a bound is reached, then waits for requests in flight (each bounded by the timeout).</summary>
    public async Task<RunResult> RunAsync(string name, string target, CancellationToken cancellationToken)
    {
        _start = Stopwatch.GetTimestamp();
        using var stopProgress = new CancellationTokenSource();
        var progress = ReportProgressAsync(stopProgress.Token);
        try
        {
            if (_model.Kind == LoadModelKind.Open)
            {
                await RunOpenAsync(cancellationToken);
            }
            else
            {
                await RunClosedAsync(cancellationToken);
            }
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progress;
        }

        var measured = TimeSpan.FromSeconds(Math.Max(SecondsSince(_start, Interlocked.Read(ref _lastCompletion)) - _model.WarmUp.TotalSeconds, 0));
        var snapshot = _recorder.Snapshot();
        if (snapshot.Latency.Count > 0 && measured < _model.Duration && snapshot.Started < _model.MaxRequests)
        {
            // Stopped by cancellation, not by a bound: the window is what actually ran.
            measured = TimeSpan.FromSeconds(Math.Max(Stopwatch.GetElapsedTime(_start).TotalSeconds - _model.WarmUp.TotalSeconds, 0.001));
        }

        return new RunResult(name, target, _model, snapshot, measured, Interlocked.Read(ref _warmUpRequests));
    }

    private async Task RunOpenAsync(CancellationToken cancellationToken)
    {
        var warmUp = _model.WarmUp.TotalSeconds;
        var end = warmUp + _model.Duration.TotalSeconds;
        using var slots = new SemaphoreSlim(_model.MaxInFlight, _model.MaxInFlight);
        long measuredStarted = 0;
        try
        {
            for (long index = 0; !cancellationToken.IsCancellationRequested; index++)
            {
                var offset = _model.IntendedOffsetSeconds(index);
                var measured = offset >= warmUp;
                if (offset >= end || (measured && measuredStarted >= _model.MaxRequests))
                {
                    break;
                }

                var due = _start + (long)(offset * Stopwatch.Frequency);
                await DelayUntilAsync(due, cancellationToken);
                await slots.WaitAsync(cancellationToken);
                var late = Stopwatch.GetTimestamp() - due > LateThreshold.TotalSeconds * Stopwatch.Frequency;
                if (measured)
                {
                    measuredStarted++;
                    _recorder.RecordStart(offset - warmUp, late);
                }
                else
                {
                    _warmUpRequests++;
                }

                _ = RunOneAsync(index, due, measured, slots);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped from outside (Ctrl-C): report what was measured.
        }

        // Every permit back means every request has finished; each is bounded by the request timeout.
        for (var i = 0; i < _model.MaxInFlight; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task RunOneAsync(long index, long intendedStart, bool measured, SemaphoreSlim slots)
    {
        try
        {
            var outcome = await InvokeAsync(index);
            var now = Stopwatch.GetTimestamp();
            Complete(outcome, intendedStart, now, measured);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task RunClosedAsync(CancellationToken cancellationToken)
    {
        var warmUpEnd = _start + (long)(_model.WarmUp.TotalSeconds * Stopwatch.Frequency);
        var end = warmUpEnd + (long)(_model.Duration.TotalSeconds * Stopwatch.Frequency);
        long nextIndex = -1;
        long measuredStarted = 0;

        async Task UserAsync()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= end)
                {
                    return;
                }

                var measured = started >= warmUpEnd;
                if (measured)
                {
                    // Reserve a slot first so that exactly MaxRequests measured requests are sent.
                    if (Interlocked.Increment(ref measuredStarted) > _model.MaxRequests)
                    {
                        return;
                    }

                    _recorder.RecordStart(SecondsSince(warmUpEnd, started), late: false);
                }
                else
                {
                    Interlocked.Increment(ref _warmUpRequests);
                }

                var outcome = await InvokeAsync(Interlocked.Increment(ref nextIndex));
                Complete(outcome, started, Stopwatch.GetTimestamp(), measured);
            }
        }

        var users = new Task[_model.Concurrency];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = Task.Run(UserAsync, CancellationToken.None);
        }

        await Task.WhenAll(users);
    }

    private async Task<RequestOutcome> InvokeAsync(long index)
    {
        using var timeout = new CancellationTokenSource(_model.RequestTimeout);
        try
        {
            return await _request(index, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new RequestOutcome("unknown", "timeout", 0, 0);
        }
#pragma warning disable CA1031 // A failed request is a data point of the run, whatever it threw; the run goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new RequestOutcome("unknown", "exception:" + ex.GetType().Name, 0, 0);
        }
    }

    private void Complete(RequestOutcome outcome, long start, long end, bool measured)
    {
        if (!measured)
        {
            return;
        }

        long last;
        do
        {
            last = Interlocked.Read(ref _lastCompletion);
        }
        while (end > last && Interlocked.CompareExchange(ref _lastCompletion, end, last) != last);

        var latencyMicros = (long)((end - start) * 1_000_000.0 / Stopwatch.Frequency);
        _recorder.Record(outcome, latencyMicros, SecondsSince(_start, end) - _model.WarmUp.TotalSeconds);
    }

    private static double SecondsSince(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    private static async Task DelayUntilAsync(long due, CancellationToken cancellationToken)
    {
        // Task.Delay wakes up to ~1 ms late; sleeping in slices that stop 1 ms short and then yielding keeps starts
        // close to their intended time without burning a core on a spin.
        while (true)
        {
            var remaining = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 1.5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(remaining - 1), cancellationToken);
            }
            else
            {
                await Task.Yield();
            }
        }
    }

    private async Task ReportProgressAsync(CancellationToken cancellationToken)
    {
        if (Progress is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Progress(Stopwatch.GetElapsedTime(_start), _recorder.Snapshot());
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }
}
