using System.Globalization;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// Runs every scenario in an unreported warm-up round, then in <see cref="BenchmarkOptions.Rounds"/> measured rounds.
/// Within a round each scenario runs its raw baseline and then the client, back to back, so a burst of load from
/// other work on this shared machine hits both sides of a pair rather than one side of every pair.
/// </summary>
internal sealed class BenchmarkRunner(BenchmarkOptions options, Uri server, CpuMeter cpu, TextWriter log)
{
    public async Task<IReadOnlyList<ScenarioSeries>> RunAsync(CancellationToken cancellationToken)
    {
        var scenarios = CreateScenarios();
        if (scenarios.Count == 0)
        {
            throw new InvalidOperationException($"--filter '{options.Filter}' matches no scenario.");
        }

        if (options.WarmupMessages > 0)
        {
            log.WriteLine("warm-up round (not reported)");
            foreach (var scenario in scenarios)
            {
                await RunOneAsync(scenario.Series, "raw", scenario.RunRaw, scenario.WarmupCount, cancellationToken);
                await RunOneAsync(scenario.Series, scenario.ClientLabel, scenario.RunClient, scenario.WarmupCount, cancellationToken);
            }
        }

        for (var round = 1; round <= options.Rounds; round++)
        {
            log.WriteLine($"round {round} of {options.Rounds}");
            foreach (var scenario in scenarios)
            {
                scenario.Series.Raw.Add(await RunOneAsync(scenario.Series, "raw", scenario.RunRaw, scenario.Count, cancellationToken));
                scenario.Series.Client.Add(await RunOneAsync(scenario.Series, scenario.ClientLabel, scenario.RunClient, scenario.Count, cancellationToken));
            }
        }

        return [.. scenarios.Select(s => s.Series)];
    }

    private List<Scenario> CreateScenarios()
    {
        var warmup = options.WarmupMessages;
        var requestWarmup = Math.Min(options.RequestCount, Math.Max(1, warmup / 20));
        var sizes = options.Sizes.Distinct().ToArray();
        List<Scenario> scenarios = [];
        foreach (var size in sizes)
        {
            var subject = $"bench.pub.{size}";
            scenarios.Add(new Scenario(
                new ScenarioSeries("publish", $"publish {size} B", "msgs/s"),
                (count, ct) => PublishRuns.RawAsync(server, cpu, subject, size, count, ct),
                (count, ct) => PublishRuns.ClientAsync(server, cpu, subject, size, count, ct),
                options.Messages,
                warmup));
        }

        var requestSize = options.RequestSize;
        scenarios.Add(new Scenario(
            new ScenarioSeries("request", $"request/reply {requestSize} B, sequential", "round trips/s"),
            (count, ct) => RequestReplyRuns.RawAsync(server, cpu, "bench.req.raw", requestSize, count, 1, ct),
            (count, ct) => RequestReplyRuns.ClientAsync(server, cpu, "bench.req.client", requestSize, count, 1, ct),
            options.RequestCount,
            requestWarmup));
        if (options.InFlight > 1)
        {
            var inFlight = options.InFlight;
            scenarios.Add(new Scenario(
                new ScenarioSeries("request", $"request/reply {requestSize} B, {inFlight} in flight", "round trips/s"),
                (count, ct) => RequestReplyRuns.RawAsync(server, cpu, "bench.req.raw", requestSize, count, inFlight, ct),
                (count, ct) => RequestReplyRuns.ClientAsync(server, cpu, "bench.req.client", requestSize, count, inFlight, ct),
                options.RequestCount,
                requestWarmup));
        }

        if (!options.NoPubSub)
        {
            foreach (var size in sizes)
            {
                scenarios.Add(new Scenario(
                    new ScenarioSeries("pubsub", $"publish → subscribe {size} B", "msgs/s"),
                    (count, ct) => PubSubRuns.RawAsync(server, cpu, $"bench.sub.{size}.raw", size, count, ct),
                    (count, ct) => PubSubRuns.ClientAsync(server, cpu, $"bench.sub.{size}.client", size, count, ct),
                    options.Messages,
                    warmup));
            }
        }

        if (options.Diagnostics)
        {
            var size = sizes[0];
            foreach (var variant in Enum.GetValues<PipeVariant>())
            {
                scenarios.Add(new Scenario(
                    new ScenarioSeries("diagnostics", $"pipe {size} B, {Describe(variant)}", "msgs/s"),
                    (count, ct) => PublishRuns.RawAsync(server, cpu, $"bench.pipe.{size}", size, count, ct),
                    (count, ct) => PipePublishRuns.RunAsync(server, cpu, $"bench.pipe.{size}", size, count, variant, ct),
                    options.Messages,
                    warmup,
                    "pipe"));
            }
        }

        return options.Filter is null
            ? scenarios
            : [.. scenarios.Where(s => s.Series.Name.Contains(options.Filter, StringComparison.OrdinalIgnoreCase))];
    }

    private static string Describe(PipeVariant variant) => variant switch
    {
        PipeVariant.FlushPerMessage => "FlushAsync per message",
        PipeVariant.FlushPerMessageThreeAdvances => "FlushAsync per message, 3 writes per frame",
        PipeVariant.FlushPerMessageLockedThreeAdvances => "FlushAsync per message, 3 writes per frame, SemaphoreSlim",
        _ => "FlushAsync per 64 KiB",
    };

    private async Task<RunResult> RunOneAsync(
        ScenarioSeries series, string side, Func<int, CancellationToken, Task<RunResult>> run, int count, CancellationToken cancellationToken)
    {
        // Start every run from a collected heap, so one run's garbage is not collected on the next run's clock.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.RunTimeoutSeconds));
        RunResult result;
        try
        {
            result = await run(count, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{series.Name} ({side}, {count}) did not finish within {options.RunTimeoutSeconds} s (--run-timeout).");
        }

        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"  {series.Name,-40} {side,-6} {result.Rate,14:N0} {series.Unit} in {result.Elapsed.TotalMilliseconds,9:N1} ms, CPU {result.Cpu.Bench.TotalMilliseconds:N0} ms bench, {result.Cpu.Server?.TotalMilliseconds:N0} ms server");
        if (result.Latency is { } latency)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  p50 {latency.P50Microseconds:N1} µs  p99 {latency.P99Microseconds:N1} µs");
        }

        if (result.Allocation is { } allocation)
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"  alloc {allocation.ThreadBytesPerMessage:N2} B/msg (thread), {allocation.ProcessBytesPerMessage:N2} B/msg (process), {allocation.AsynchronousPublishes} async, enqueue-only {count / allocation.EnqueueElapsed.TotalSeconds:N0} msgs/s");
        }

        log.WriteLine(line);
        return result;
    }
}
