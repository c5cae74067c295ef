using Fleet.Nats.JetStream;

namespace Fleet.Nats.Tests;

/// <summary>
/// Names become subject tokens in the JetStream API, so bad ones must fail before anything is sent. The
/// connection here is never connected: any attempt to reach a server would fail with a different error.
/// </summary>
public class JetStreamContextValidationTests : IAsyncLifetime
{
    private readonly NatsConnection _connection = new(new NatsOptions { Servers = ["nats://127.0.0.1:1"] });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("ORDERS.EU")]
    [InlineData("ORDERS*")]
    [InlineData("ORDERS>")]
    [InlineData("ORD ERS")]
    [InlineData("ORDERS\t")]
    public async Task RejectsStreamNamesThatAreNotSingleTokens(string name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var js = new NatsJSContext(_connection);

        await Assert.ThrowsAsync<ArgumentException>(() => js.CreateOrUpdateStreamAsync(new NatsJSStreamConfig(name, "orders.>"), cts.Token));
        await Assert.ThrowsAsync<ArgumentException>(() => js.GetStreamAsync(name, cts.Token));
        await Assert.ThrowsAsync<ArgumentException>(() => js.DeleteStreamAsync(name, cts.Token));
        await Assert.ThrowsAsync<ArgumentException>(
            () => js.CreateOrUpdateConsumerAsync(name, new NatsJSConsumerConfig("worker"), cts.Token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("billing.eu")]
    [InlineData("billing*")]
    public async Task RejectsConsumerNamesThatAreNotSingleTokens(string? name)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var js = new NatsJSContext(_connection);

        await Assert.ThrowsAsync<ArgumentException>(
            () => js.CreateOrUpdateConsumerAsync("ORDERS", new NatsJSConsumerConfig { DurableName = name }, cts.Token));
        if (name is not null)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => js.GetConsumerAsync("ORDERS", name, cts.Token));
            await Assert.ThrowsAsync<ArgumentException>(async () =>
            {
                await foreach (var unused in js.FetchAsync("ORDERS", name, 1, TimeSpan.FromSeconds(1), cts.Token))
                {
                    Assert.Fail("Nothing can be fetched without a server.");
                }
            });
        }
    }

    [Fact]
    public async Task RejectsBadFetchArguments()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var js = new NatsJSContext(_connection);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var unused in js.FetchAsync("ORDERS", "worker", 0, TimeSpan.FromSeconds(1), cts.Token))
            {
                Assert.Fail("Nothing can be fetched without a server.");
            }
        });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var unused in js.FetchAsync("ORDERS", "worker", 1, TimeSpan.FromSeconds(-1), cts.Token))
            {
                Assert.Fail("Nothing can be fetched without a server.");
            }
        });
    }

    [Fact]
    public void TrimsTheApiPrefix()
    {
        Assert.Equal("$JS.hub.API", new NatsJSContext(_connection, "$JS.hub.API.").ApiPrefix);
        Assert.Throws<ArgumentException>(() => new NatsJSContext(_connection, " "));
    }
}
