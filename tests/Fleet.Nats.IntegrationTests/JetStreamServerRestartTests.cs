using System.Text;
using Fleet.Nats.JetStream;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>
/// JetStream across a crash of the server (SIGKILL, then a restart on the same port and store). A server of
/// its own, because the other JetStream tests must not see it go away.
/// </summary>
public class JetStreamServerRestartTests(NatsServerFixture server) : IClassFixture<NatsServerFixture>
{
    [Fact]
    public async Task StoredMessagesAndDeduplicationSurviveAServerCrash()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var connection = new NatsConnection(new NatsOptions { Servers = [server.Url], Name = "jetstream-restart-tests" });
        await connection.ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var subject = server.NextSubject("restart");
        var stream = subject.Replace('.', '_').ToUpperInvariant();
        await js.CreateOrUpdateStreamAsync(new NatsJSStreamConfig(stream, subject + ".>") { Storage = NatsJSStorageType.File }, cts.Token);
        await js.CreateOrUpdateConsumerAsync(stream, new NatsJSConsumerConfig("relay") { AckWait = TimeSpan.FromMinutes(5) }, cts.Token);
        for (var i = 1; i <= 3; i++)
        {
            await js.PublishAsync($"{subject}.event", Encoding.UTF8.GetBytes($"m{i}"), msgId: $"outbox-{i}", cancellationToken: cts.Token);
        }

        server.Kill();
        await server.StartAsync();

        // The outbox relay's retry after a crash: the same id must not be stored twice.
        var retry = await UntilJetStreamAnswersAsync(
            () => js.PublishAsync($"{subject}.event", "m3"u8.ToArray(), msgId: "outbox-3", cancellationToken: cts.Token), cts.Token);
        var next = await js.PublishAsync($"{subject}.event", "m4"u8.ToArray(), msgId: "outbox-4", cancellationToken: cts.Token);
        var info = await js.GetStreamAsync(stream, cts.Token);
        var messages = new List<NatsJSMsg>();
        await foreach (var msg in js.FetchAsync(stream, "relay", 10, TimeSpan.FromSeconds(1), cts.Token))
        {
            messages.Add(msg);
        }

        Assert.True(retry.Duplicate);
        Assert.Equal(3UL, retry.Seq);
        Assert.False(next.Duplicate);
        Assert.Equal(4UL, next.Seq);
        Assert.Equal(4UL, info.State.Messages);
        Assert.Equal(["m1", "m2", "m3", "m4"], messages.Select(m => Encoding.UTF8.GetString(m.Data.Span)));
        Assert.Equal(["outbox-1", "outbox-2", "outbox-3", "outbox-4"], messages.Select(m => m.Headers?[NatsJSContext.MsgIdHeader]));
    }

    [Fact]
    public async Task ConfirmedAckThatTheServerNeverGotFailsAndCanBeRetried()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var connection = new NatsConnection(
            new NatsOptions { Servers = [server.Url], Name = "jetstream-restart-tests", RequestTimeout = TimeSpan.FromSeconds(1) });
        await connection.ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var subject = server.NextSubject("ackloss");
        var stream = subject.Replace('.', '_').ToUpperInvariant();
        await js.CreateOrUpdateStreamAsync(new NatsJSStreamConfig(stream, subject + ".>") { Storage = NatsJSStorageType.File }, cts.Token);
        await js.CreateOrUpdateConsumerAsync(stream, new NatsJSConsumerConfig("worker") { AckWait = TimeSpan.FromMinutes(5) }, cts.Token);
        await js.PublishAsync($"{subject}.job", "job"u8.ToArray(), cancellationToken: cts.Token);
        NatsJSMsg msg;
        await using (var fetch = js.FetchAsync(stream, "worker", 1, TimeSpan.FromSeconds(5), cts.Token).GetAsyncEnumerator(cts.Token))
        {
            Assert.True(await fetch.MoveNextAsync());
            msg = fetch.Current;
        }

        server.Kill();
        try
        {
            // A fire-and-forget ack would vanish here without a trace; the confirmed one must not.
            await Assert.ThrowsAsync<NatsTimeoutException>(() => msg.AckAsync(waitForConfirmation: true, cts.Token));
            Assert.False(msg.IsSettled);
        }
        finally
        {
            await server.StartAsync();
        }

        await UntilJetStreamAnswersAsync(() => js.GetStreamAsync(stream, cts.Token), cts.Token);
        await msg.AckAsync(waitForConfirmation: true, cts.Token);
        var info = await js.GetConsumerAsync(stream, "worker", cts.Token);

        Assert.True(msg.IsSettled);
        Assert.Equal(0, info.NumAckPending);
        Assert.Equal(1UL, info.AckFloor.StreamSeq);
    }

    /// <summary>
    /// After a restart the client reconnects on its own schedule and JetStream recovers its store before it
    /// answers; until then a call times out or is refused. Bounded by count and by the test's token.
    /// </summary>
    private static async Task<T> UntilJetStreamAnswersAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < 50 && ex is NatsTimeoutException or NatsException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }
}
