using System.Text;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

[Collection(NatsServerCollection.Name)]
public class NatsConnectionTests(NatsServerFixture server)
{
    [Fact]
    public async Task PublishedMessageReachesSubscriber()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);

        await connection.PublishAsync(subject, "hello"u8.ToArray(), cancellationToken: cts.Token);
        await connection.PublishAsync(subject, ReadOnlyMemory<byte>.Empty, cancellationToken: cts.Token);

        var messages = await TestConnections.ReadAsync(subscription, 2, cts.Token);
        Assert.Equal(subject, messages[0].Subject);
        Assert.Equal("hello", Encoding.UTF8.GetString(messages[0].Data.Span));
        Assert.Null(messages[0].Headers);
        Assert.True(messages[1].Data.IsEmpty);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
        Assert.Equal(1024 * 1024, connection.ServerInfo!.MaxPayload);
    }

    [Fact]
    public async Task PingGetsThroughWhilePublishersKeepTheWriterBusy()
    {
        // Each ping waits behind megabytes of queued publishes (seconds on a loaded machine): a generous hang bound.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var payload = new byte[16];
        var stop = 0;

        // Publishers that never pause: a Ping has to wait for the write gate between them, and must not lose it to
        // them every time (the gate lets publishers barge ahead of a waiter; see WriteGate). Each loop is bounded, so
        // a starved ping fails on the test timeout, not by running forever.
        var publishers = Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                for (var i = 0; i < 20_000_000 && Volatile.Read(ref stop) == 0; i++)
                {
                    await connection.PublishAsync(subject, payload, cancellationToken: cts.Token);
                }
            },
            cts.Token)).ToList();

        for (var i = 0; i < 5; i++)
        {
            await connection.PingAsync(cts.Token);
        }

        Volatile.Write(ref stop, 1);
        await Task.WhenAll(publishers);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task ConcurrentPublishersNeitherInterleaveNorLoseFrames()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token, o => o.SubscriptionCapacity = 100_000);
        var subject = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);
        const int Publishers = 8;
        const int PerPublisher = 2000;

        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(publisher => Task.Run(
            async () =>
            {
                var headers = new NatsHeaders { ["Publisher"] = publisher.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                for (var i = 0; i < PerPublisher; i++)
                {
                    // Varying sizes, with and without headers, so frames of every shape meet in the pipe.
                    var payload = Encoding.UTF8.GetBytes($"{publisher}:{i}:{new string('x', i % 300)}");
                    await connection.PublishAsync(subject, payload, i % 3 == 0 ? headers : null, cancellationToken: cts.Token);
                }
            },
            cts.Token)));

        var next = new int[Publishers];
        var messages = await TestConnections.ReadAsync(subscription, Publishers * PerPublisher, cts.Token);
        foreach (var message in messages)
        {
            var parts = Encoding.UTF8.GetString(message.Data.Span).Split(':');
            var publisher = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var sequence = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[publisher]++, sequence);
            Assert.Equal(sequence % 300, parts[2].Length);
            Assert.Equal(sequence % 3 == 0 ? parts[0] : null, message.Headers?["Publisher"]);
        }

        Assert.All(next, count => Assert.Equal(PerPublisher, count));
        Assert.Equal(0, subscription.DroppedMessages);
    }

    [Fact]
    public async Task ConcurrentPublishersToChangingSubjectsDeliverEachMessageOnItsOwnSubject()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token, o => o.SubscriptionCapacity = 100_000);
        var prefix = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync($"{prefix}.>", cancellationToken: cts.Token);
        const int Publishers = 4;
        const int PerPublisher = 3000;

        // The connection keeps the encoding of a subject string it sees twice in a row; racing publishers that repeat
        // their own subject instance, switch subjects, and pass equal strings that are different instances must never
        // get each other's bytes.
        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(publisher => Task.Run(
            async () =>
            {
                var own = $"{prefix}.p{publisher}";
                for (var i = 0; i < PerPublisher; i++)
                {
                    var subject = (i % 7) switch
                    {
                        0 => $"{prefix}.p{publisher}.n{i}",
                        1 => $"{prefix}.p{publisher}",
                        _ => own,
                    };
                    await connection.PublishAsync(subject, Encoding.UTF8.GetBytes(subject), cancellationToken: cts.Token);
                }
            },
            cts.Token)));

        var messages = await TestConnections.ReadAsync(subscription, Publishers * PerPublisher, cts.Token);
        Assert.All(messages, message => Assert.Equal(message.Subject, Encoding.UTF8.GetString(message.Data.Span)));
        Assert.Equal(Publishers * ((PerPublisher / 7) + 1), messages.Count(m => m.Subject.Contains(".n", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FlushMakesSubscriptionVisibleToOtherConnections()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var subscriber = await TestConnections.ConnectAsync(server.Url, cts.Token);
        await using var publisher = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        await using var subscription = await subscriber.SubscribeAsync(subject, cancellationToken: cts.Token);

        // Without this round trip the publisher's message could reach the server before the SUB does.
        await subscriber.FlushAsync(cts.Token);
        await publisher.PublishAsync(subject, "x"u8.ToArray(), cancellationToken: cts.Token);

        var message = await subscription.Msgs.ReadAsync(cts.Token);
        Assert.Equal("x", Encoding.UTF8.GetString(message.Data.Span));
        Assert.True(await publisher.PingAsync(cts.Token) > TimeSpan.Zero);
    }

    [Fact]
    public async Task QueueGroupDeliversEachMessageToOneMember()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var first = await TestConnections.ConnectAsync(server.Url, cts.Token);
        await using var second = await TestConnections.ConnectAsync(server.Url, cts.Token);
        await using var publisher = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var a = await first.SubscribeAsync(subject, "workers", cancellationToken: cts.Token);
        var b = await second.SubscribeAsync(subject, "workers", cancellationToken: cts.Token);
        await first.FlushAsync(cts.Token);
        await second.FlushAsync(cts.Token);

        const int Count = 200;
        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync(subject, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken: cts.Token);
        }

        // After the publisher's PONG the server has routed every message; after each member's PONG they have arrived.
        await publisher.FlushAsync(cts.Token);
        await first.FlushAsync(cts.Token);
        await second.FlushAsync(cts.Token);
        await a.UnsubscribeAsync(cts.Token);
        await b.UnsubscribeAsync(cts.Token);
        var received = new List<string>();
        var perMember = new List<int>();
        foreach (var subscription in new[] { a, b })
        {
            var count = 0;
            await foreach (var message in subscription.ReadAllAsync(cts.Token))
            {
                received.Add(Encoding.UTF8.GetString(message.Data.Span));
                count++;
            }

            perMember.Add(count);
        }

        Assert.Equal(Count, received.Count);
        Assert.Equal(Count, received.Distinct().Count());
        Assert.All(perMember, count => Assert.True(count > 0, $"A member got nothing: {string.Join(", ", perMember)}"));
    }

    [Fact]
    public async Task DrainKeepsTheMessagesTheServerSentBeforeTheUnsub()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);

        // A small channel that makes the read loop wait: most messages are still in the socket when the drain starts.
        await using var member = await TestConnections.ConnectAsync(
            server.Url, cts.Token, o => (o.SubscriptionCapacity, o.SlowConsumerPolicy) = (100, NatsSlowConsumerPolicy.Wait));
        await using var publisher = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var subscription = await member.SubscribeAsync(subject, "workers", cancellationToken: cts.Token);
        await member.FlushAsync(cts.Token);

        const int Count = 5_000;
        var payload = new byte[512];
        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync(subject, payload, cancellationToken: cts.Token);
        }

        // After the publisher's PONG the server has sent every message towards the member.
        await publisher.FlushAsync(cts.Token);
        var drain = subscription.DrainAsync(cts.Token).AsTask();
        var received = 0;
        await foreach (var message in subscription.ReadAllAsync(cts.Token))
        {
            received++;
        }

        await drain;
        Assert.Equal(Count, received);
    }

    [Fact]
    public async Task RequestGetsReply()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var responder = await TestConnections.ConnectAsync(server.Url, cts.Token);
        await using var requester = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject("svc");
        var subscription = await responder.SubscribeAsync(subject, "svc", cancellationToken: cts.Token);
        await responder.FlushAsync(cts.Token);
        var serving = Task.Run(
            async () =>
            {
                await foreach (var request in subscription.ReadAllAsync(cts.Token))
                {
                    var headers = new NatsHeaders { ["Echo-Of"] = request.Headers?["Id"] ?? "none" };
                    await request.ReplyAsync(request.Data.ToArray().Reverse().ToArray(), headers, cts.Token);
                }
            },
            cts.Token);

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            requester.RequestAsync(subject, Encoding.UTF8.GetBytes($"abc{i}"), new NatsHeaders { ["Id"] = $"r{i}" }, cancellationToken: cts.Token)));

        for (var i = 0; i < replies.Length; i++)
        {
            Assert.Equal(new string($"abc{i}".Reverse().ToArray()), Encoding.UTF8.GetString(replies[i].Data.Span));
            Assert.Equal($"r{i}", replies[i].Headers?["Echo-Of"]);
        }

        await subscription.UnsubscribeAsync(cts.Token);
        await serving;
    }

    [Fact]
    public async Task RequestWithoutRespondersThrowsNoResponders()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);

        await Assert.ThrowsAsync<NatsNoRespondersException>(() =>
            connection.RequestAsync(server.NextSubject("nobody"), "?"u8.ToArray(), timeout: TimeSpan.FromSeconds(10), cancellationToken: cts.Token));
    }

    [Fact]
    public async Task RequestToSilentResponderTimesOut()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject("silent");
        await using var silent = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);

        var error = await Assert.ThrowsAsync<NatsTimeoutException>(() =>
            connection.RequestAsync(subject, "?"u8.ToArray(), timeout: TimeSpan.FromMilliseconds(200), cancellationToken: cts.Token));

        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.Equal(1, silent.Msgs.Count);
    }

    [Fact]
    public async Task HeadersRoundTrip()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);
        var headers = new NatsHeaders { { "X-Request-ID", "req-1" }, { "Multi", "a" }, { "Multi", "b" } };

        await connection.PublishAsync(subject, "body\r\nwith crlf"u8.ToArray(), headers, "reply.here", cts.Token);

        var message = await subscription.Msgs.ReadAsync(cts.Token);
        var received = message.Headers!;
        Assert.Equal("req-1", received["x-request-id"]);
        Assert.Equal(["a", "b"], received.GetValues("Multi"));
        Assert.Null(received.StatusCode);
        Assert.Equal("reply.here", message.ReplyTo);
        Assert.Equal("body\r\nwith crlf", Encoding.UTF8.GetString(message.Data.Span));
    }

    [Fact]
    public async Task PayloadOverMaxPayloadIsRejectedAndConnectionStaysUsable()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);

        var maxPayload = connection.ServerInfo!.MaxPayload;

        await Assert.ThrowsAsync<NatsPayloadTooLargeException>(() =>
            connection.PublishAsync(subject, new byte[maxPayload + 1], cancellationToken: cts.Token).AsTask());
        await connection.PublishAsync(subject, new byte[maxPayload], cancellationToken: cts.Token);

        var message = await subscription.Msgs.ReadAsync(cts.Token);
        Assert.Equal(maxPayload, message.Data.Length);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
        Assert.Null(connection.LastError);
    }

    [Fact]
    public async Task AutoUnsubscribeEndsAfterMaxMessages()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var subscription = await connection.SubscribeAsync(subject, maxMessages: 3, cancellationToken: cts.Token);

        for (var i = 0; i < 5; i++)
        {
            await connection.PublishAsync(subject, new[] { (byte)i }, cancellationToken: cts.Token);
        }

        var received = new List<byte>();
        await foreach (var message in subscription.ReadAllAsync(cts.Token))
        {
            received.Add(message.Data.Span[0]);
        }

        Assert.Equal([0, 1, 2], received);
    }

    [Fact]
    public async Task SlowConsumerDropsNewestAndCounts()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        var logger = new CapturedLogger<NatsConnection>();
        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token, o => o.SubscriptionCapacity = 4, logger);
        var subject = server.NextSubject();
        var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);

        for (var i = 0; i < 100; i++)
        {
            await connection.PublishAsync(subject, new[] { (byte)i }, cancellationToken: cts.Token);
        }

        // Same connection: the PONG comes after every MSG the PUBs produced.
        await connection.FlushAsync(cts.Token);

        Assert.Equal(96, subscription.DroppedMessages);
        Assert.Single(logger.Entries, e => e.Message.Contains("Slow consumer", StringComparison.Ordinal));
        await subscription.UnsubscribeAsync(cts.Token);
        var kept = new List<byte>();
        await foreach (var message in subscription.ReadAllAsync(cts.Token))
        {
            kept.Add(message.Data.Span[0]);
        }

        Assert.Equal([0, 1, 2, 3], kept);
    }

    [Fact]
    public async Task WaitPolicyLosesNothing()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var connection = await TestConnections.ConnectAsync(
            server.Url, cts.Token, o => (o.SubscriptionCapacity, o.SlowConsumerPolicy) = (2, NatsSlowConsumerPolicy.Wait));
        var subject = server.NextSubject();
        await using var subscription = await connection.SubscribeAsync(subject, cancellationToken: cts.Token);

        for (var i = 0; i < 50; i++)
        {
            await connection.PublishAsync(subject, new[] { (byte)i }, cancellationToken: cts.Token);
        }

        var received = await TestConnections.ReadAsync(subscription, 50, cts.Token);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (byte)i), received.Select(m => m.Data.Span[0]));
        Assert.Equal(0, subscription.DroppedMessages);
    }

    [Fact]
    public async Task DisposeDrainsMessagesAlreadyReceived()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var publisher = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subscriber = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        var subscription = await subscriber.SubscribeAsync(subject, cancellationToken: cts.Token);
        await subscriber.FlushAsync(cts.Token);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(subject, new[] { (byte)i }, cancellationToken: cts.Token);
        }

        await publisher.FlushAsync(cts.Token);
        await subscriber.FlushAsync(cts.Token);

        var disposing = subscriber.DisposeAsync().AsTask();
        var received = new List<byte>();
        await foreach (var message in subscription.ReadAllAsync(cts.Token))
        {
            received.Add(message.Data.Span[0]);
        }

        await disposing.WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), received);
        Assert.Equal(NatsConnectionState.Closed, subscriber.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => subscriber.PublishAsync(subject, "late"u8.ToArray()).AsTask());
    }

    [Fact]
    public async Task DisposeFlushesPendingPublishes()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        await using var subscriber = await TestConnections.ConnectAsync(server.Url, cts.Token);
        var subject = server.NextSubject();
        await using var subscription = await subscriber.SubscribeAsync(subject, cancellationToken: cts.Token);
        await subscriber.FlushAsync(cts.Token);
        var publisher = await TestConnections.ConnectAsync(server.Url, cts.Token);

        for (var i = 0; i < 500; i++)
        {
            await publisher.PublishAsync(subject, new byte[100], cancellationToken: cts.Token);
        }

        await publisher.DisposeAsync();

        var received = await TestConnections.ReadAsync(subscription, 500, cts.Token);
        Assert.Equal(500, received.Count);
    }

    [Fact]
    public async Task ConnectFailsFastWhenNoServerListens()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        var options = new NatsOptions { Servers = [$"nats://127.0.0.1:{FreeTcpPort.Next()}"], ConnectTimeout = TimeSpan.FromSeconds(2) };
        await using var connection = new NatsConnection(options);

        var error = await Assert.ThrowsAsync<NatsException>(() => connection.ConnectAsync(cts.Token));

        Assert.Contains("Could not connect", error.Message, StringComparison.Ordinal);
        Assert.Equal(NatsConnectionState.Closed, connection.State);
    }
}
