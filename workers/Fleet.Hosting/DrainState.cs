namespace Fleet.Hosting;

/// <summary>
/// Whether this worker is draining (SIGTERM received, traffic moving away). <c>/readyz</c> reports 503 while
/// draining; long-lived work such as WebSocket sessions can watch <see cref="Draining"/> to say goodbye.
/// </summary>
public sealed class DrainState : IDisposable
{
    private readonly CancellationTokenSource _draining = new();

    /// <summary>True once draining has begun; it never turns back.</summary>
    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when draining begins.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <inheritdoc />
    public void Dispose() => _draining.Dispose();

    internal void Begin() => _draining.Cancel();
}
