namespace Fleet.LoadRunner;

/// <summary>A scenario's default load, in plain numbers for the JSON file.</summary>
public sealed record LoadDefinition
{
    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public LoadModelKind Model { get; init; } = LoadModelKind.Open;

    /// <summary>Open model: requests per second.</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Closed model: virtual users.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Open model: seconds to ramp from 0 to the rate.</summary>
    public double RampUpSeconds { get; init; }

    /// <summary>Seconds of unrecorded load before the measurement.</summary>
    public double WarmUpSeconds { get; init; } = 3;

    /// <summary>Measured seconds.</summary>
    public double DurationSeconds { get; init; } = 20;

    /// <summary>Cap on measured requests.</summary>
    public long MaxRequests { get; init; } = 1_000_000;

    /// <summary>Per-request timeout in seconds.</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>The engine's model.</summary>
    public LoadModel ToModel() => new()
    {
        Kind = Model,
        Rate = Rate,
        Concurrency = Concurrency,
        RampUp = TimeSpan.FromSeconds(RampUpSeconds),
        WarmUp = TimeSpan.FromSeconds(WarmUpSeconds),
        Duration = TimeSpan.FromSeconds(DurationSeconds),
        MaxRequests = MaxRequests,
        RequestTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
    };
}
