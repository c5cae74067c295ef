using Fleet.Nats.Internal;

namespace Fleet.Nats.Tests;

public class WriteGateTests
{
    [Fact]
    public async Task HoldersNeverOverlapUnderContentionAcrossAwaits()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var gate = new WriteGate();
        var inside = 0;
        var overlaps = 0;
        var entries = 0;

        async Task WorkerAsync(int worker)
        {
            for (var i = 0; i < 2_000; i++)
            {
                // Mixes the paths the connection uses: the synchronous try, and the awaited enter.
                if (i % 3 != 0 || !gate.TryEnter())
                {
                    await gate.EnterAsync(cts.Token);
                }

                try
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    entries++;
                    if ((i + worker) % 50 == 0)
                    {
                        // Held across a real await, as a writer waiting on the pipe's backpressure holds it.
                        await Task.Yield();
                    }

                    Interlocked.Decrement(ref inside);
                }
                finally
                {
                    gate.Exit();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() => WorkerAsync(worker), cts.Token)));

        Assert.Equal(0, overlaps);
        Assert.Equal(8 * 2_000, entries);
    }

    [Fact]
    public async Task WaiterGetsTheGateWhenTheHolderExits()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var gate = new WriteGate();
        Assert.True(gate.TryEnter());

        var waiter = gate.EnterAsync(cts.Token).AsTask();
        Assert.False(waiter.IsCompleted);
        Assert.False(gate.TryEnter());

        gate.Exit();
        await waiter.WaitAsync(cts.Token);
        Assert.False(gate.TryEnter());
        gate.Exit();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public async Task CancelledWaiterDoesNotSwallowTheNextWakeUp()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var gate = new WriteGate();
        Assert.True(gate.TryEnter());

        using var cancelWaiter = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancelWaiter.Token).AsTask();
        var second = gate.EnterAsync(cts.Token).AsTask();
        await cancelWaiter.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        gate.Exit();
        await second.WaitAsync(cts.Token);
        Assert.False(gate.TryEnter());
        gate.Exit();
    }
}
