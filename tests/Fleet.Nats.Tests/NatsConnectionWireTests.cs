using System.Text;
using Fleet.TestUtilities;

namespace Fleet.Nats.Tests;

/// <summary>Wire failures a real server cannot produce on demand, played by <see cref="FakeNatsServer"/>.</summary>
public class NatsConnectionWireTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    // Generous: the test machine is shared and often heavily loaded, and a slow handshake is not what these test.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AuthorizationViolationFailsConnect()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = new FakeNatsServer(async (client, _, token) =>
        {
            await client.SendAsync(FakeNatsServer.Info(), token);
            await client.ReadUntilAsync("PING", token, answerPings: false);
            await client.SendAsync("-ERR 'Authorization Violation'\r\n", token);
        });
        await using var connection = new NatsConnection(new NatsOptions { ConnectTimeout = ConnectTimeout, Servers = [server.Url], User = "u", Password = "wrong" });

        var error = await Assert.ThrowsAsync<NatsServerErrorException>(() => connection.ConnectAsync(cts.Token));

        Assert.Contains("Authorization Violation", error.Message, StringComparison.Ordinal);
        Assert.Equal(NatsConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task ServerErrorAfterConnectEndsTheDeniedSubscription()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = new FakeNatsServer(async (client, _, token) =>
        {
            await client.HandshakeAsync(token);
            await client.ReadUntilAsync("SUB secret", token);
            await client.SendAsync("-ERR 'Permissions Violation for Subscription to \"secret\"'\r\n", token);
            await client.ReadUntilAsync("NEVER", token);
        });
        await using var connection = new NatsConnection(new NatsOptions { ConnectTimeout = ConnectTimeout, Servers = [server.Url] });
        var reported = new TaskCompletionSource<NatsServerErrorException>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ServerError += (_, error) => reported.TrySetResult(error);
        await connection.ConnectAsync(cts.Token);

        var subscription = await connection.SubscribeAsync("secret", cancellationToken: cts.Token);

        var error = await Assert.ThrowsAsync<NatsServerErrorException>(() => subscription.Msgs.Completion.WaitAsync(cts.Token));
        Assert.Contains("Permissions Violation", error.Message, StringComparison.Ordinal);
        Assert.Same(error, await reported.Task.WaitAsync(cts.Token));
        Assert.Same(error, connection.LastError);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task TruncatedFrameThenDroppedSocketReconnectsAndResubscribes()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var secondHandshake = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeNatsServer(async (client, index, token) =>
        {
            var lines = await client.HandshakeAsync(token);
            if (index == 0)
            {
                await client.ReadUntilAsync("SUB orders", token);
                await client.SendAsync("MSG orders 1 10\r\nabc", token);
                client.Drop();
                return;
            }

            secondHandshake.TrySetResult(lines);
            await client.SendAsync("MSG orders 1 5\r\nwhole\r\n", token);
            await client.ReadUntilAsync("NEVER", token);
        });
        await using var connection = new NatsConnection(new NatsOptions
        {
            ConnectTimeout = ConnectTimeout,
            Servers = [server.Url],
            ReconnectWaitMin = TimeSpan.FromMilliseconds(10),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(50),
        });
        await connection.ConnectAsync(cts.Token);

        var subscription = await connection.SubscribeAsync("orders", cancellationToken: cts.Token);

        var message = await subscription.Msgs.ReadAsync(cts.Token);
        Assert.Equal("whole", Encoding.UTF8.GetString(message.Data.Span));
        Assert.Contains("SUB orders 1", await secondHandshake.Task.WaitAsync(cts.Token));
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task StaleConnectionIsReplaced()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = new FakeNatsServer(async (client, index, token) =>
        {
            await client.HandshakeAsync(token);

            // The first server goes silent: it reads the client's PINGs and never answers.
            await client.ReadUntilAsync("NEVER", token, answerPings: index > 0);
        });
        await using var connection = new NatsConnection(new NatsOptions
        {
            ConnectTimeout = ConnectTimeout,
            Servers = [server.Url],
            PingInterval = TimeSpan.FromMilliseconds(200),
            MaxPingsOut = 2,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(10),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(50),
        });
        var states = new List<NatsConnectionState>();
        var replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, state) =>
        {
            lock (states)
            {
                states.Add(state);
                if (states.Count(s => s == NatsConnectionState.Connected) == 2)
                {
                    replaced.TrySetResult();
                }
            }
        };

        await connection.ConnectAsync(cts.Token);
        await replaced.Task.WaitAsync(cts.Token);

        await connection.FlushAsync(cts.Token);
        Assert.True(server.ConnectionCount >= 2);
        lock (states)
        {
            // A loaded machine may delay the second server's PONGs into another reconnect; the first four are fixed.
            Assert.Equal([NatsConnectionState.Connecting, NatsConnectionState.Connected, NatsConnectionState.Reconnecting, NatsConnectionState.Connected], states.Take(4));
        }
    }

    [Fact]
    public async Task OversizedPublishNeverReachesTheWire()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var firstPub = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeNatsServer(async (client, _, token) =>
        {
            await client.HandshakeAsync(token, maxPayload: 100);
            firstPub.TrySetResult(await client.ReadUntilAsync("PUB", token));
            await client.ReadUntilAsync("NEVER", token);
        });
        await using var connection = new NatsConnection(new NatsOptions { ConnectTimeout = ConnectTimeout, Servers = [server.Url] });
        await connection.ConnectAsync(cts.Token);

        await Assert.ThrowsAsync<NatsPayloadTooLargeException>(() => connection.PublishAsync("big", new byte[101], cancellationToken: cts.Token).AsTask());
        await connection.PublishAsync("small", new byte[100], cancellationToken: cts.Token);

        Assert.Equal("PUB small 100", await firstPub.Task.WaitAsync(cts.Token));
    }

    [Fact]
    public async Task ReconnectsToServerAnnouncedInConnectUrls()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var reachedSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var second = new FakeNatsServer(async (client, _, token) =>
        {
            await client.HandshakeAsync(token);
            reachedSecond.TrySetResult();
            await client.ReadUntilAsync("NEVER", token);
        });
        await using var first = new FakeNatsServer(async (client, index, token) =>
        {
            if (index > 0)
            {
                // Gone for good: refuse every later connection at once.
                client.Drop();
                return;
            }

            await client.HandshakeAsync(token, connectUrls: [$"127.0.0.1:{second.Port}"]);
            client.Drop();
        });
        await using var connection = new NatsConnection(new NatsOptions
        {
            ConnectTimeout = ConnectTimeout,
            Servers = [first.Url],
            ReconnectWaitMin = TimeSpan.FromMilliseconds(10),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(50),
        });

        await connection.ConnectAsync(cts.Token);
        await reachedSecond.Task.WaitAsync(cts.Token);

        await connection.FlushAsync(cts.Token);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
        Assert.Equal(1, second.ConnectionCount);
    }

    [Fact]
    public async Task FlushInFlightWhenTheSocketDiesFailsAndTheNextOneSucceeds()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var server = new FakeNatsServer(async (client, index, token) =>
        {
            await client.HandshakeAsync(token);
            if (index == 0)
            {
                // Take the flush's PING, report a fatal error as nats-server does, and hang up without a PONG.
                await client.ReadUntilAsync("PING", token, answerPings: false);
                await client.SendAsync("-ERR 'Maximum Payload Violation'\r\n", token);
                client.Drop();
                return;
            }

            await client.ReadUntilAsync("NEVER", token);
        });
        await using var connection = new NatsConnection(new NatsOptions
        {
            ConnectTimeout = ConnectTimeout,
            Servers = [server.Url],
            ReconnectWaitMin = TimeSpan.FromMilliseconds(10),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(50),
        });
        await connection.ConnectAsync(cts.Token);

        var error = await Assert.ThrowsAsync<NatsException>(() => connection.FlushAsync(cts.Token));
        await connection.FlushAsync(cts.Token);

        Assert.Contains("lost", error.Message, StringComparison.Ordinal);
        Assert.Contains("Maximum Payload Violation", connection.LastError?.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task AnswersServerPing()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        var pong = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new FakeNatsServer(async (client, _, token) =>
        {
            await client.HandshakeAsync(token);
            await client.SendAsync("PING\r\n", token);
            pong.TrySetResult(await client.ReadLineAsync(token));
            await client.ReadUntilAsync("NEVER", token);
        });
        await using var connection = new NatsConnection(new NatsOptions { ConnectTimeout = ConnectTimeout, Servers = [server.Url] });

        await connection.ConnectAsync(cts.Token);

        Assert.Equal("PONG", await pong.Task.WaitAsync(cts.Token));
    }
}
