using System.Diagnostics;
using System.Text;
using Fleet.Nats.JetStream;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>JetStream against a real nats-server started with <c>-js</c>; every test has its own stream.</summary>
public class JetStreamContextTests(NatsServerFixture server) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task CreateOrUpdateStreamIsIdempotent()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = NextStream();
        var config = new NatsJSStreamConfig(stream, subject + ".>") { Storage = NatsJSStorageType.Memory };

        var created = await js.CreateOrUpdateStreamAsync(config, cts.Token);
        var again = await js.CreateOrUpdateStreamAsync(config, cts.Token);
        var updated = await js.CreateOrUpdateStreamAsync(config with { MaxMsgs = 10, Description = "changed" }, cts.Token);
        var read = await js.GetStreamAsync(stream, cts.Token);

        Assert.Equal(stream, created.Config.Name);
        Assert.Equal(-1, created.Config.MaxMsgs);
        Assert.Equal(TimeSpan.FromMinutes(2), created.Config.DuplicateWindow);
        Assert.Equal(created.Created, again.Created);
        Assert.Equal(created.Config, again.Config with { Subjects = created.Config.Subjects });
        Assert.Equal(created.Created, updated.Created);
        Assert.Equal(10, updated.Config.MaxMsgs);
        Assert.Equal("changed", read.Config.Description);
        Assert.Equal(10, read.Config.MaxMsgs);
    }

    [Fact]
    public async Task PublishReturnsIncreasingSequences()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);

        var acks = new List<NatsJSPubAck>();
        for (var i = 0; i < 3; i++)
        {
            acks.Add(await js.PublishAsync($"{subject}.item", Encoding.UTF8.GetBytes($"m{i}"), cancellationToken: cts.Token));
        }

        Assert.Equal([1UL, 2UL, 3UL], acks.Select(a => a.Seq));
        Assert.All(acks, a => Assert.Equal(stream, a.Stream));
        Assert.All(acks, a => Assert.False(a.Duplicate));
        Assert.Equal(3UL, (await js.GetStreamAsync(stream, cts.Token)).State.Messages);
    }

    [Fact]
    public async Task PublishWithTheSameMsgIdIsStoredOnce()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);

        var first = await js.PublishAsync($"{subject}.outbox", "event"u8.ToArray(), msgId: "outbox-17", cancellationToken: cts.Token);
        var retry = await js.PublishAsync($"{subject}.outbox", "event"u8.ToArray(), msgId: "outbox-17", cancellationToken: cts.Token);
        var other = await js.PublishAsync($"{subject}.outbox", "event"u8.ToArray(), msgId: "outbox-18", cancellationToken: cts.Token);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Seq, retry.Seq);
        Assert.False(other.Duplicate);
        Assert.Equal(first.Seq + 1, other.Seq);
        Assert.Equal(2UL, (await js.GetStreamAsync(stream, cts.Token)).State.Messages);
    }

    [Fact]
    public async Task PublishKeepsHeadersAndSetsMsgId()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "reader", TimeSpan.FromSeconds(30), cts.Token);
        var headers = new NatsHeaders { { "X-Request-ID", "req-1" } };

        await js.PublishAsync($"{subject}.h", "x"u8.ToArray(), msgId: "id-1", headers: headers, cancellationToken: cts.Token);
        var msg = Assert.Single(await FetchAllAsync(js, stream, "reader", 1, TimeSpan.FromSeconds(5), cts.Token));

        Assert.Equal("req-1", msg.Headers?["X-Request-ID"]);
        Assert.Equal("id-1", msg.Headers?[NatsJSContext.MsgIdHeader]);
        Assert.False(headers.TryGetValue(NatsJSContext.MsgIdHeader, out _));
    }

    [Fact]
    public async Task PublishWithoutStreamThrowsNoStream()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var subject = server.NextSubject("nostream");

        var ex = await Assert.ThrowsAsync<NatsJSNoStreamException>(
            () => js.PublishAsync(subject, "lost?"u8.ToArray(), cancellationToken: cts.Token));

        Assert.Equal(subject, ex.Subject);
        Assert.Contains($"No stream listens on subject {subject}", ex.Message, StringComparison.Ordinal);
        Assert.IsType<NatsNoRespondersException>(ex.InnerException);
    }

    [Fact]
    public async Task InvalidStreamConfigThrowsApiException()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (existing, subject) = await CreateStreamAsync(js, cts.Token);
        var (stream, _) = NextStream();

        // Two streams may not capture the same subject.
        var ex = await Assert.ThrowsAsync<NatsJSApiException>(() => js.CreateOrUpdateStreamAsync(
            new NatsJSStreamConfig(stream, subject + ".orders"), cts.Token));
        var missing = await Assert.ThrowsAsync<NatsJSApiException>(() => js.GetStreamAsync(stream, cts.Token));

        Assert.Equal(400, ex.Code);
        Assert.Equal(10065, ex.ErrorCode);
        Assert.Contains("overlap", ex.Description, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(404, missing.Code);
        Assert.Equal(10059, missing.ErrorCode);
        Assert.Equal(existing, (await js.GetStreamAsync(existing, cts.Token)).Config.Name);
    }

    [Fact]
    public async Task ConfigTheServerCannotApplyThrowsApiException()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = NextStream();

        // A duplicate window longer than the messages live is refused (nats-server 2.9 files it under 500).
        var ex = await Assert.ThrowsAsync<NatsJSApiException>(() => js.CreateOrUpdateStreamAsync(
            new NatsJSStreamConfig(stream, subject + ".>") { MaxAge = TimeSpan.FromSeconds(1), DuplicateWindow = TimeSpan.FromSeconds(5) },
            cts.Token));

        Assert.NotEqual(0, ex.Code);
        Assert.NotEqual(0, ex.ErrorCode);
        Assert.Contains("duplicate", ex.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DeleteStreamReportsWhetherItExisted()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, _) = await CreateStreamAsync(js, cts.Token);

        Assert.True(await js.DeleteStreamAsync(stream, cts.Token));
        Assert.False(await js.DeleteStreamAsync(stream, cts.Token));
    }

    [Fact]
    public async Task CreateOrUpdateConsumerIsIdempotentAndApplies()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        var config = new NatsJSConsumerConfig("billing") { FilterSubject = subject + ".created", AckWait = TimeSpan.FromSeconds(5), MaxDeliver = 3 };

        var created = await js.CreateOrUpdateConsumerAsync(stream, config, cts.Token);
        var again = await js.CreateOrUpdateConsumerAsync(stream, config, cts.Token);
        var updated = await js.CreateOrUpdateConsumerAsync(stream, config with { AckWait = TimeSpan.FromSeconds(7) }, cts.Token);
        var read = await js.GetConsumerAsync(stream, "billing", cts.Token);

        Assert.Equal("billing", created.Name);
        Assert.Equal(stream, created.StreamName);
        Assert.Equal(NatsJSAckPolicy.Explicit, created.Config.AckPolicy);
        Assert.Equal(subject + ".created", created.Config.FilterSubject);
        Assert.Equal(3, created.Config.MaxDeliver);
        Assert.Equal(created.Created, again.Created);
        Assert.Equal(TimeSpan.FromSeconds(7), updated.Config.AckWait);
        Assert.Equal(TimeSpan.FromSeconds(7), read.Config.AckWait);
        Assert.Equal(1, (await js.GetStreamAsync(stream, cts.Token)).State.ConsumerCount);
    }

    [Fact]
    public async Task FetchReturnsBatchWithMetadata()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "batch", TimeSpan.FromSeconds(30), cts.Token);
        for (var i = 1; i <= 5; i++)
        {
            await js.PublishAsync($"{subject}.n", Encoding.UTF8.GetBytes($"m{i}"), cancellationToken: cts.Token);
        }

        var first = await FetchAllAsync(js, stream, "batch", 3, TimeSpan.FromSeconds(5), cts.Token);
        var rest = await FetchAllAsync(js, stream, "batch", 10, TimeSpan.FromMilliseconds(500), cts.Token);

        Assert.Equal(["m1", "m2", "m3"], first.Select(m => Encoding.UTF8.GetString(m.Data.Span)));
        Assert.Equal([1UL, 2UL, 3UL], first.Select(m => m.Metadata.StreamSequence));
        Assert.Equal([1UL, 2UL, 3UL], first.Select(m => m.Metadata.ConsumerSequence));
        Assert.Equal([4UL, 3UL, 2UL], first.Select(m => m.Metadata.NumPending));
        Assert.All(first, m => Assert.Equal(1UL, m.Metadata.NumDelivered));
        Assert.All(first, m => Assert.Equal(stream, m.Metadata.Stream));
        Assert.All(first, m => Assert.Equal("batch", m.Metadata.Consumer));
        Assert.All(first, m => Assert.Equal($"{subject}.n", m.Subject));
        Assert.All(first, m => Assert.InRange(m.Metadata.Timestamp, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(["m4", "m5"], rest.Select(m => Encoding.UTF8.GetString(m.Data.Span)));
    }

    [Fact]
    public async Task FetchNeverAsksForMoreThanTheSubscriptionHolds()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token, subscriptionCapacity: 4);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "small", TimeSpan.FromSeconds(30), cts.Token);
        for (var i = 0; i < 10; i++)
        {
            await js.PublishAsync($"{subject}.n", "x"u8.ToArray(), cancellationToken: cts.Token);
        }

        // Read slowly: with a batch of 10 the server would overrun the 4-slot channel and messages would drop.
        var sequences = new List<ulong>();
        await foreach (var msg in js.FetchAsync(stream, "small", 10, TimeSpan.FromSeconds(1), cts.Token))
        {
            await WaitForWaitingPullRequestGoneAsync(js, stream, "small", cts.Token);
            sequences.Add(msg.Metadata.StreamSequence);
        }

        var info = await js.GetConsumerAsync(stream, "small", cts.Token);
        Assert.Equal([1UL, 2UL, 3UL, 4UL], sequences);
        Assert.Equal(4UL, info.Delivered.StreamSeq);
    }

    [Fact]
    public async Task SlowProcessingDoesNotTurnIntoAFetchTimeout()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "slow", TimeSpan.FromSeconds(30), cts.Token);
        await js.PublishAsync($"{subject}.n", "1"u8.ToArray(), cancellationToken: cts.Token);
        await js.PublishAsync($"{subject}.n", "2"u8.ToArray(), cancellationToken: cts.Token);

        var sequences = new List<ulong>();
        await foreach (var msg in js.FetchAsync(stream, "slow", 5, TimeSpan.FromMilliseconds(200), cts.Token))
        {
            sequences.Add(msg.Metadata.StreamSequence);

            // Work on the first message outlasts the request's expiry plus the client's 2 s margin, by which
            // time the second message and the closing 408 wait in the subscription.
            if (sequences.Count == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), cts.Token);
            }
        }

        Assert.Equal([1UL, 2UL], sequences);
    }

    [Fact]
    public async Task FetchWithoutWaitingReturnsWhatIsPending()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "nowait", TimeSpan.FromSeconds(30), cts.Token);
        await js.PublishAsync($"{subject}.a", "1"u8.ToArray(), cancellationToken: cts.Token);
        await js.PublishAsync($"{subject}.b", "2"u8.ToArray(), cancellationToken: cts.Token);

        var messages = await FetchAllAsync(js, stream, "nowait", 5, TimeSpan.Zero, cts.Token);

        Assert.Equal([1UL, 2UL], messages.Select(m => m.Metadata.StreamSequence));
    }

    [Fact]
    public async Task FetchOnEmptyStreamEndsWithNoMessages()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, _) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "empty", TimeSpan.FromSeconds(30), cts.Token);

        var waited = await FetchAllAsync(js, stream, "empty", 10, TimeSpan.FromMilliseconds(300), cts.Token);
        var noWait = await FetchAllAsync(js, stream, "empty", 10, TimeSpan.Zero, cts.Token);

        Assert.Empty(waited);
        Assert.Empty(noWait);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task UnackedMessageIsRedeliveredToANewConnectionAfterAckWait()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        string stream;
        await using (var first = await ConnectAsync(cts.Token))
        {
            var js = new NatsJSContext(first);
            (stream, var subject) = await CreateStreamAsync(js, cts.Token);
            await CreateConsumerAsync(js, stream, "durable", TimeSpan.FromSeconds(1), cts.Token);
            await js.PublishAsync($"{subject}.work", "job-1"u8.ToArray(), cancellationToken: cts.Token);

            var delivered = Assert.Single(await FetchAllAsync(js, stream, "durable", 1, TimeSpan.FromSeconds(5), cts.Token));
            Assert.Equal(1UL, delivered.Metadata.NumDelivered);

            // No ack: the worker "crashes" and its connection goes away with the message in flight.
        }

        await using var second = await ConnectAsync(cts.Token);
        var restarted = new NatsJSContext(second);

        // The fetch waits longer than the ack wait, so the server redelivers into it.
        var redelivered = Assert.Single(await FetchAllAsync(restarted, stream, "durable", 1, TimeSpan.FromSeconds(10), cts.Token));

        Assert.Equal("job-1", Encoding.UTF8.GetString(redelivered.Data.Span));
        Assert.Equal(2UL, redelivered.Metadata.NumDelivered);
        Assert.Equal(1UL, redelivered.Metadata.StreamSequence);
        Assert.Equal(2UL, redelivered.Metadata.ConsumerSequence);
    }

    [Fact]
    public async Task NakRedeliversAtOnce()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);

        // An ack wait far beyond the fetch: only the nak can bring the message back in time.
        await CreateConsumerAsync(js, stream, "naks", TimeSpan.FromMinutes(5), cts.Token);
        await js.PublishAsync($"{subject}.work", "retry-me"u8.ToArray(), cancellationToken: cts.Token);

        var delivered = Assert.Single(await FetchAllAsync(js, stream, "naks", 1, TimeSpan.FromSeconds(5), cts.Token));
        await delivered.NakAsync(cancellationToken: cts.Token);
        var redelivered = Assert.Single(await FetchAllAsync(js, stream, "naks", 1, TimeSpan.FromSeconds(5), cts.Token));

        Assert.True(delivered.IsSettled);
        Assert.Equal(1UL, redelivered.Metadata.StreamSequence);
        Assert.Equal(2UL, redelivered.Metadata.NumDelivered);
    }

    [Fact]
    public async Task NakWithDelayRedeliversNoSoonerThanTheDelay()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "later", TimeSpan.FromMinutes(5), cts.Token);
        await js.PublishAsync($"{subject}.work", "later"u8.ToArray(), cancellationToken: cts.Token);

        var delivered = Assert.Single(await FetchAllAsync(js, stream, "later", 1, TimeSpan.FromSeconds(5), cts.Token));
        var clock = Stopwatch.StartNew();
        await delivered.NakAsync(TimeSpan.FromSeconds(1), cts.Token);
        var redelivered = Assert.Single(await FetchAllAsync(js, stream, "later", 1, TimeSpan.FromSeconds(10), cts.Token));

        // A lower bound only: a slow machine makes it later, never earlier.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"Redelivered after {clock.Elapsed}");
        Assert.Equal(2UL, redelivered.Metadata.NumDelivered);
    }

    [Fact]
    public async Task AckedMessageIsNotRedelivered()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "acks", TimeSpan.FromSeconds(1), cts.Token);
        await js.PublishAsync($"{subject}.work", "done"u8.ToArray(), cancellationToken: cts.Token);

        var delivered = Assert.Single(await FetchAllAsync(js, stream, "acks", 1, TimeSpan.FromSeconds(5), cts.Token));
        await delivered.AckAsync(waitForConfirmation: true, cts.Token);

        // Three ack waits long: an ack the server missed would bring the message back within this fetch.
        var after = await FetchAllAsync(js, stream, "acks", 1, TimeSpan.FromSeconds(3), cts.Token);
        var info = await js.GetConsumerAsync(stream, "acks", cts.Token);

        Assert.Empty(after);
        Assert.Equal(0, info.NumAckPending);
        Assert.Equal(1UL, info.AckFloor.StreamSeq);
        await Assert.ThrowsAsync<InvalidOperationException>(() => delivered.AckAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public async Task TerminatedMessageIsNotRedelivered()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "poison", TimeSpan.FromSeconds(1), cts.Token);
        await js.PublishAsync($"{subject}.work", "poison"u8.ToArray(), cancellationToken: cts.Token);

        var delivered = Assert.Single(await FetchAllAsync(js, stream, "poison", 1, TimeSpan.FromSeconds(5), cts.Token));
        await delivered.TermAsync(cts.Token);
        var after = await FetchAllAsync(js, stream, "poison", 1, TimeSpan.FromSeconds(3), cts.Token);

        Assert.Empty(after);
    }

    [Fact]
    public async Task SettlementsSendTheAckProtocolToTheReplySubject()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        await using var spyConnection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, subject) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "wire", TimeSpan.FromMinutes(5), cts.Token);
        for (var i = 0; i < 4; i++)
        {
            await js.PublishAsync($"{subject}.n", "x"u8.ToArray(), cancellationToken: cts.Token);
        }

        // Acks are ordinary messages on $JS.ACK subjects, so a plain subscriber sees what the consumer gets.
        await using var spy = await spyConnection.SubscribeAsync("$JS.ACK.>", cancellationToken: cts.Token);
        await spyConnection.PingAsync(cts.Token);
        var m = await FetchAllAsync(js, stream, "wire", 4, TimeSpan.FromSeconds(5), cts.Token);

        await m[0].InProgressAsync(cts.Token);
        await m[0].AckAsync(cancellationToken: cts.Token);
        await m[1].NakAsync(TimeSpan.FromSeconds(5), cts.Token);
        await m[2].TermAsync(cts.Token);
        await m[3].NakAsync(cancellationToken: cts.Token);
        var seen = new List<(string Subject, string Payload)>();
        while (seen.Count < 5)
        {
            var ack = await spy.Msgs.ReadAsync(cts.Token);
            seen.Add((ack.Subject, Encoding.UTF8.GetString(ack.Data.Span)));
        }

        Assert.Equal(
            [
                (m[0].ReplyTo, "+WPI"),
                (m[0].ReplyTo, "+ACK"),
                (m[1].ReplyTo, "-NAK {\"delay\":5000000000}"),
                (m[2].ReplyTo, "+TERM"),
                (m[3].ReplyTo, "-NAK"),
            ],
            seen);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await m[0].InProgressAsync(cts.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => m[2].NakAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public async Task FetchFromDeletedConsumerThrowsConflict()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, _) = await CreateStreamAsync(js, cts.Token);
        await CreateConsumerAsync(js, stream, "doomed", TimeSpan.FromSeconds(30), cts.Token);

        await using var fetch = js.FetchAsync(stream, "doomed", 1, TimeSpan.FromSeconds(15), cts.Token).GetAsyncEnumerator(cts.Token);
        var next = fetch.MoveNextAsync().AsTask();
        await WaitForWaitingPullRequestAsync(js, stream, "doomed", cts.Token);
        await js.DeleteConsumerAsync(stream, "doomed", cts.Token);

        var ex = await Assert.ThrowsAsync<NatsJSApiException>(() => next);
        Assert.Equal(409, ex.Code);
        Assert.Contains("Consumer Deleted", ex.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FetchFromMissingConsumerThrows()
    {
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var connection = await ConnectAsync(cts.Token);
        var js = new NatsJSContext(connection);
        var (stream, _) = await CreateStreamAsync(js, cts.Token);

        // The JetStream API swallows a pull for an unknown consumer; only the client's deadline can tell.
        var ex = await Assert.ThrowsAsync<NatsTimeoutException>(() => FetchAllAsync(js, stream, "nobody", 1, TimeSpan.FromMilliseconds(200), cts.Token));

        Assert.Contains($"CONSUMER.MSG.NEXT.{stream}.nobody", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<List<NatsJSMsg>> FetchAllAsync(
        NatsJSContext js, string stream, string consumer, int maxMessages, TimeSpan expires, CancellationToken cancellationToken)
    {
        var messages = new List<NatsJSMsg>();
        await foreach (var msg in js.FetchAsync(stream, consumer, maxMessages, expires, cancellationToken))
        {
            messages.Add(msg);
        }

        return messages;
    }

    private static Task<NatsJSConsumerInfo> CreateConsumerAsync(
        NatsJSContext js, string stream, string name, TimeSpan ackWait, CancellationToken cancellationToken) =>
        js.CreateOrUpdateConsumerAsync(stream, new NatsJSConsumerConfig(name) { AckWait = ackWait }, cancellationToken);

    /// <summary>The server has no event for "pull request registered"; its consumer info counts them.</summary>
    private static async Task WaitForWaitingPullRequestAsync(NatsJSContext js, string stream, string consumer, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if ((await js.GetConsumerAsync(stream, consumer, cancellationToken)).NumWaiting > 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        }

        Assert.Fail($"The pull request on {stream}/{consumer} never showed up as waiting.");
    }

    /// <summary>Once a batch is complete the server drops the request: everything it sent is on its way.</summary>
    private static async Task WaitForWaitingPullRequestGoneAsync(NatsJSContext js, string stream, string consumer, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if ((await js.GetConsumerAsync(stream, consumer, cancellationToken)).NumWaiting == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken);
        }

        Assert.Fail($"The pull request on {stream}/{consumer} is still waiting.");
    }

    private (string Stream, string Subject) NextStream()
    {
        var subject = server.NextSubject("js");
        return (subject.Replace('.', '_').ToUpperInvariant(), subject);
    }

    private async Task<(string Stream, string Subject)> CreateStreamAsync(NatsJSContext js, CancellationToken cancellationToken)
    {
        var (stream, subject) = NextStream();
        await js.CreateOrUpdateStreamAsync(new NatsJSStreamConfig(stream, subject + ".>") { Storage = NatsJSStorageType.Memory }, cancellationToken);
        return (stream, subject);
    }

    private async Task<NatsConnection> ConnectAsync(CancellationToken cancellationToken, int subscriptionCapacity = 1024)
    {
        var connection = new NatsConnection(
            new NatsOptions { Servers = [server.Url], Name = "jetstream-tests", SubscriptionCapacity = subscriptionCapacity });
        try
        {
            await connection.ConnectAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
