using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>
/// Publishing far ahead of the socket, without intermediate flushes, allocates nothing per message once the outbound
/// pool holds the blocks such a run needs. Kills and restarts its own nats-server (to fill the pool while
/// disconnected), so it gets a server of its own instead of the shared one.
/// </summary>
public class NatsPublishRunAheadAllocationTests : IAsyncLifetime
{
    // 200,000 frames of about 40 bytes are 8 MB: below the outbound pipe's pause threshold (reconnect buffer plus
    // 4 MB of headroom), so no publish has to wait, yet far more than one socket write.
    private const int Messages = 200_000;

    private readonly NatsServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task PublishAllocatesNothingPerMessageWhileRunningAheadOfTheSocket()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(_server.Url, cts.Token, options =>
        {
            options.ReconnectBufferBytes = 16 * 1024 * 1024;
            options.ReconnectWaitMin = TimeSpan.FromMilliseconds(20);
            options.ReconnectWaitMax = TimeSpan.FromMilliseconds(200);
        });
        var subject = _server.NextSubject();
        var payload = new byte[16];

        // Warm-up while disconnected: nothing is sent, so the whole run is buffered at once and the pool ends up
        // holding at least the blocks any later run of the same size can need, however far ahead it gets.
        var reconnecting = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Reconnecting, cts.Token);
        _server.Kill();
        await reconnecting;
        var reconnected = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Connected, cts.Token);
        await PublishAllAsync(connection, subject, payload, cts.Token);
        await _server.StartAsync();
        await reconnected;
        await connection.FlushAsync(cts.Token);
        await PublishAllAsync(connection, subject, payload, cts.Token);
        await connection.FlushAsync(cts.Token);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var asynchronous = 0;
        for (var i = 0; i < Messages; i++)
        {
            var publish = connection.PublishAsync(subject, payload, cancellationToken: cts.Token);
            if (!publish.IsCompletedSuccessfully)
            {
                // Block rather than await: an await could resume on another thread and void the per-thread count.
                asynchronous++;
#pragma warning disable xUnit1031 // Blocking keeps the measurement on this thread; it happens at most a few times per run.
                publish.AsTask().Wait(cts.Token);
#pragma warning restore xUnit1031
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await connection.FlushAsync(cts.Token);
        // A publish may rarely find the write lock taken and complete asynchronously; it must stay rare. The byte
        // bound is amortised: any allocation per message would cost at least 24 bytes per message.
        Assert.True(asynchronous < Messages / 1000, $"{asynchronous} of {Messages} publishes completed asynchronously.");
        Assert.True(allocated < Messages / 10, $"{allocated} bytes allocated for {Messages} publishes without flushes ({(double)allocated / Messages:F3} per message).");
    }

    private static async Task PublishAllAsync(NatsConnection connection, string subject, byte[] payload, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Messages; i++)
        {
            await connection.PublishAsync(subject, payload, cancellationToken: cancellationToken);
        }
    }
}
