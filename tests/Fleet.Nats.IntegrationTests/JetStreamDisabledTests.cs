using System.Globalization;
using Fleet.Nats.JetStream;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>A real nats-server started without <c>-js</c>: JetStream calls must say why they fail.</summary>
public sealed class JetStreamDisabledTests : IAsyncLifetime
{
    private readonly int _port = FreeTcpPort.Next();
    private ServerProcess? _server;

    public async Task InitializeAsync()
    {
        _server = ServerProcess.Start(
            ServerBinary.Require("nats-server", "nats-server"),
            ["-a", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture)],
            "nats-server (no JetStream)");
        await FreeTcpPort.WaitUntilListeningAsync(_port, _server, TimeSpan.FromSeconds(20));
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ApiCallsExplainThatJetStreamIsOff()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = new NatsConnection(new NatsOptions { Servers = [$"nats://127.0.0.1:{_port}"] });
        await connection.ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);

        var api = await Assert.ThrowsAsync<NatsJSException>(
            () => js.CreateOrUpdateStreamAsync(new NatsJSStreamConfig("ORDERS", "orders.>"), cts.Token));
        var publish = await Assert.ThrowsAsync<NatsJSNoStreamException>(
            () => js.PublishAsync("orders.created", "x"u8.ToArray(), cancellationToken: cts.Token));

        Assert.False(connection.ServerInfo?.JetStream);
        Assert.Contains("JetStream is not enabled on server", api.Message, StringComparison.Ordinal);
        Assert.IsType<NatsNoRespondersException>(api.InnerException);
        Assert.Equal("orders.created", publish.Subject);
    }
}
