namespace Fleet.Nats.Benchmarks;

/// <summary>A scenario's two sides; each takes a message or round-trip count and returns one measured run.</summary>
internal sealed record Scenario(
    ScenarioSeries Series,
    Func<int, CancellationToken, Task<RunResult>> RunRaw,
    Func<int, CancellationToken, Task<RunResult>> RunClient,
    int Count,
    int WarmupCount,
    string ClientLabel = "client");
