using System.Net;
using Fleet.Hosting;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

[Collection(SyncCollection.Name)]
public sealed class StartupTests
{
    [Fact]
    public async Task StartsNotReadyWhileNatsAndMySqlAreUnreachable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Nothing listens on either port: the worker must run, stay alive and say it is not ready.
        var deadNats = $"nats://127.0.0.1:{FreeTcpPort.Next()}";
        var deadMySql = $"Server=127.0.0.1;Port={FreeTcpPort.Next()};User ID=fleet;Password=x;Database=sync";
        await using var sync = await SyncWorker.StartAsync(deadMySql, deadNats, Events.NewStreamName(), waitUntilReady: false);
        using var live = await sync.Http.GetAsync(FleetHealth.LivePath, cts.Token);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await sync.Http.GetAsync(FleetHealth.ReadyPath, cts.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var pull = await sync.PullAsync(1, null, cancellationToken: cts.Token);
        await Problems.AssertAsync(pull, HttpStatusCode.ServiceUnavailable, "urn:fleet:problem:unavailable", cts.Token);
    }
}
