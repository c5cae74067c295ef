using System.Text;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>Kills and restarts its own nats-server, so it gets a server of its own instead of the shared one.</summary>
public class NatsReconnectTests : IAsyncLifetime
{
    private readonly NatsServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task ReconnectsAfterServerRestartAndDeliversBufferedPublishes()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(_server.Url, cts.Token, FastReconnect);
        var subject = _server.NextSubject();
        var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);
        var limited = await connection.SubscribeAsync(subject + ".limited", maxMessages: 4, cancellationToken: cts.Token);
        await connection.PublishAsync(subject, "before"u8.ToArray(), cancellationToken: cts.Token);
        await connection.PublishAsync(subject + ".limited", "1"u8.ToArray(), cancellationToken: cts.Token);
        await connection.PublishAsync(subject + ".limited", "2"u8.ToArray(), cancellationToken: cts.Token);
        Assert.Equal("before", Encoding.UTF8.GetString((await subscription.Msgs.ReadAsync(cts.Token)).Data.Span));
        await TestConnections.ReadAsync(limited, 2, cts.Token);

        var reconnecting = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Reconnecting, cts.Token);
        _server.Kill();
        await reconnecting;
        var reconnected = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Connected, cts.Token);
        await connection.PublishAsync(subject, "while-down-1"u8.ToArray(), cancellationToken: cts.Token);
        await connection.PublishAsync(subject, "while-down-2"u8.ToArray(), cancellationToken: cts.Token);
        await _server.StartAsync();
        await reconnected;
        await connection.PublishAsync(subject, "after"u8.ToArray(), cancellationToken: cts.Token);
        for (var i = 3; i <= 6; i++)
        {
            await connection.PublishAsync(subject + ".limited", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: cts.Token);
        }

        var received = await TestConnections.ReadAsync(subscription, 3, cts.Token);
        Assert.Equal(["while-down-1", "while-down-2", "after"], received.Select(m => Encoding.UTF8.GetString(m.Data.Span)));

        // Two of four arrived before the restart; the re-subscription asks for the remaining two only.
        var rest = new List<string>();
        await foreach (var message in limited.ReadAllAsync(cts.Token))
        {
            rest.Add(Encoding.UTF8.GetString(message.Data.Span));
        }

        Assert.Equal(["3", "4"], rest);
    }

    [Fact]
    public async Task RequestReplyWorksAfterReconnect()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(_server.Url, cts.Token, FastReconnect);
        var subject = _server.NextSubject("svc");
        var responder = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);
        var serving = Task.Run(
            async () =>
            {
                await foreach (var request in responder.ReadAllAsync(cts.Token))
                {
                    await request.ReplyAsync(request.Data, cancellationToken: cts.Token);
                }
            },
            cts.Token);
        Assert.Equal("one", Encoding.UTF8.GetString((await connection.RequestAsync(subject, "one"u8.ToArray(), cancellationToken: cts.Token)).Data.Span));

        var reconnecting = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Reconnecting, cts.Token);
        _server.Kill();
        await reconnecting;
        var reconnected = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Connected, cts.Token);
        await _server.StartAsync();
        await reconnected;

        var reply = await connection.RequestAsync(subject, "two"u8.ToArray(), cancellationToken: cts.Token);
        Assert.Equal("two", Encoding.UTF8.GetString(reply.Data.Span));
        await responder.UnsubscribeAsync(cts.Token);
        await serving;
    }

    [Fact]
    public async Task PublishWhileDisconnectedThrowsWhenReconnectBufferIsFull()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(
            _server.Url, cts.Token, o => (o.ReconnectBufferBytes, o.ReconnectWaitMin, o.ReconnectWaitMax) = (1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        var subject = _server.NextSubject();
        var reconnecting = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Reconnecting, cts.Token);
        _server.Kill();
        await reconnecting;

        var accepted = 0;
        NatsReconnectBufferFullException? error = null;
        for (var i = 0; i < 100 && error is null; i++)
        {
            try
            {
                await connection.PublishAsync(subject, new byte[100], cancellationToken: cts.Token);
                accepted++;
            }
            catch (NatsReconnectBufferFullException ex)
            {
                error = ex;
            }
        }

        Assert.NotNull(error);

        // Each frame is "PUB <subject> 100\r\n" + 100 bytes + CRLF; as many as fit in 1000 bytes were taken.
        var frame = $"PUB {subject} 100\r\n".Length + 102;
        Assert.Equal(1000 / frame, accepted);
    }

    [Fact]
    public async Task ClosesAfterMaxReconnectAttempts()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(
            _server.Url, cts.Token, o => (o.MaxReconnectAttempts, o.ReconnectWaitMin, o.ReconnectWaitMax) = (2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)));
        var subscription = await connection.SubscribeAsync(_server.NextSubject(), cancellationToken: cts.Token);
        var closed = TestConnections.WaitForStateAsync(connection, NatsConnectionState.Closed, cts.Token);

        _server.Kill();
        await closed;

        await Assert.ThrowsAsync<NatsException>(() => subscription.Msgs.Completion.WaitAsync(cts.Token));
        await Assert.ThrowsAsync<NatsException>(() => connection.PublishAsync("any", "x"u8.ToArray(), cancellationToken: cts.Token).AsTask());
        await Assert.ThrowsAsync<NatsException>(() => connection.ConnectAsync(cts.Token));
    }

    private static void FastReconnect(NatsOptions options)
    {
        options.ReconnectWaitMin = TimeSpan.FromMilliseconds(20);
        options.ReconnectWaitMax = TimeSpan.FromMilliseconds(200);
        options.ConnectTimeout = TimeSpan.FromSeconds(5);
    }
}
