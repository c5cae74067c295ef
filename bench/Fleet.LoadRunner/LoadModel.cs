namespace Fleet.LoadRunner;

/// <summary>
/// The shape and the bounds of one run. Every run stops by itself: after <see cref="WarmUp"/> plus
/// <see cref="Duration"/>, or after <see cref="MaxRequests"/> measured requests, whichever comes first.
/// </summary>
public sealed record LoadModel
{
    /// <summary>Open (arrival rate) or closed (concurrency).</summary>
    public LoadModelKind Kind { get; init; } = LoadModelKind.Open;

    /// <summary>Open model: target requests per second after the ramp-up.</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Open model: the rate grows linearly from 0 to <see cref="Rate"/> over this time from the start.</summary>
    public TimeSpan RampUp { get; init; }

    /// <summary>Closed model: number of virtual users, each with one request in flight.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Requests started before this much time has passed are sent but not recorded.</summary>
    public TimeSpan WarmUp { get; init; }

    /// <summary>Measured time after the warm-up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap on measured requests (warm-up requests do not count).</summary>
    public long MaxRequests { get; init; } = 1_000_000;

    /// <summary>A request still unanswered after this long is recorded as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Open model: most requests in flight at once. Reaching it delays starts (counted as late, latency still
    /// measured from the intended start) instead of letting a dead server exhaust memory and sockets.
    /// </summary>
    public int MaxInFlight { get; init; } = 4096;

    /// <summary>Throws when a bound or a rate is missing or out of range.</summary>
    public void Validate()
    {
        if (Kind == LoadModelKind.Open && !(Rate > 0 && Rate <= 1_000_000))
        {
            throw new ArgumentException("The open model needs a rate between 0 and 1,000,000 requests per second.");
        }

        if (Kind == LoadModelKind.Closed && Concurrency is < 1 or > 100_000)
        {
            throw new ArgumentException("The closed model needs a concurrency between 1 and 100,000.");
        }

        if (Duration <= TimeSpan.Zero || WarmUp < TimeSpan.Zero || RampUp < TimeSpan.Zero || MaxRequests < 1 || RequestTimeout <= TimeSpan.Zero || MaxInFlight < 1)
        {
            throw new ArgumentException("Duration, request cap, timeout and in-flight cap must be positive; warm-up and ramp-up not negative.");
        }
    }

    /// <summary>
    /// Open model: seconds from the start at which request <paramref name="index"/> (0-based) is due. With a linear
    /// ramp-up over R seconds to rate r, the arrivals by time t are r·t²/(2R) during the ramp and r·R/2 + r·(t−R)
    /// after it; this inverts that.
    /// </summary>
    public double IntendedOffsetSeconds(long index)
    {
        var ramp = RampUp.TotalSeconds;
        var duringRamp = Rate * ramp / 2;
        return index < duringRamp
            ? Math.Sqrt(2 * ramp * index / Rate)
            : ramp + ((index - duringRamp) / Rate);
    }
}
