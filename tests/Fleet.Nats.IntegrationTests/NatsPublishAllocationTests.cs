using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

[Collection(NatsServerCollection.Name)]
public class NatsPublishAllocationTests(NatsServerFixture server)
{
    [Fact]
    public async Task PublishAllocatesNothingPerMessage()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var payload = new byte[128];
        var headers = new NatsHeaders { ["X-Request-ID"] = "r-1" };
        const int Batches = 25;
        const int BatchSize = 1000;
        const int WarmUpBatches = 5;
        long allocated = 0;
        for (var batch = 0; batch < Batches; batch++)
        {
            // Measured per batch on the publishing thread: a publish that finds room in the pipe completes
            // synchronously, so everything it allocates lands on this thread's counter.
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < BatchSize; i++)
            {
                var publish = connection.PublishAsync(subject, payload, i % 2 == 0 ? headers : null, cancellationToken: cts.Token);
                Assert.True(publish.IsCompletedSuccessfully, "A publish into a nearly empty pipe must complete synchronously.");
            }

            if (batch >= WarmUpBatches)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }

            // Between batches the write loop catches up, so the pipe reuses its blocks instead of growing.
            await connection.FlushAsync(cts.Token);
        }

        const int Measured = (Batches - WarmUpBatches) * BatchSize;
        // Amortised bound, not zero: the smallest object is 24 bytes, so any allocation per message would put
        // this above 24 B/msg, while a rare one-off (the write lock's slow path, a pool refill) stays far below.
        Assert.True(allocated < Measured / 10, $"{allocated} bytes allocated for {Measured} publishes ({(double)allocated / Measured:F3} per message).");
    }
}
