using System.Net;
using System.Net.Sockets;
using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

/// <summary>
/// The socket loop against a real loopback TCP peer: reads that wait for an edge, the short-read shortcut, writes
/// past the send buffer, close and cancellation waking a waiting read, and the loop's promise that a continuation
/// blocking a poller thread does not stop the other sockets.
/// </summary>
public sealed class LoopSocketStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AWaitingReadGetsWhatThePeerSendsLater()
    {
        using var pair = await SocketPair.ConnectAsync();
        var buffer = new byte[64];
        var read = pair.Loop.ReadAsync(buffer).AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);

        pair.Peer.Send("hello"u8);
        Assert.Equal(5, await read.WaitAsync(Bound));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);
    }

    [Fact]
    public async Task BurstsOfSmallMessagesArriveWholeAndInOrder()
    {
        // Short reads make the next read wait for an edge without asking the kernel: bytes that arrive in between
        // must still be read. Bursts with pauses of varying length exercise both sides of that race.
        using var pair = await SocketPair.ConnectAsync();
        const int Total = 2_000_000;
        var sender = Task.Run(() =>
        {
            var random = new Random(3);
            var chunk = new byte[1500];
            for (var sent = 0; sent < Total;)
            {
                var count = Math.Min(random.Next(1, chunk.Length), Total - sent);
                for (var i = 0; i < count; i++)
                {
                    chunk[i] = (byte)(sent + i);
                }

                pair.Peer.Send(chunk.AsSpan(0, count));
                sent += count;
                if (random.Next(8) == 0)
                {
                    Thread.Sleep(random.Next(0, 2));
                }
            }
        });

        var buffer = new byte[4096];
        var received = 0;
        using var cts = new CancellationTokenSource(Bound * 3);
        while (received < Total)
        {
            var read = await pair.Loop.ReadAsync(buffer.AsMemory(0, 1 + (received % buffer.Length)), cts.Token);
            Assert.True(read > 0, $"end of stream after {received} of {Total} bytes");
            for (var i = 0; i < read; i++)
            {
                Assert.Equal((byte)(received + i), buffer[i]);
            }

            received += read;
        }

        await sender.WaitAsync(Bound);
    }

    [Fact]
    public async Task AWriteLargerThanTheSendBufferWaitsForThePeerToRead()
    {
        using var pair = await SocketPair.ConnectAsync();
        var payload = new byte[16 * 1024 * 1024];
        new Random(5).NextBytes(payload);

        var write = pair.Loop.WriteAsync(payload).AsTask();
        await Task.Delay(100);
        Assert.False(write.IsCompleted); // loopback buffers hold far less than 16 MiB

        var received = new byte[payload.Length];
        var total = 0;
        pair.Peer.ReceiveTimeout = (int)Bound.TotalMilliseconds;
        while (total < received.Length)
        {
            total += pair.Peer.Receive(received.AsSpan(total));
        }

        await write.WaitAsync(Bound);
        Assert.True(payload.AsSpan().SequenceEqual(received));
    }

    [Fact]
    public async Task ThePeerClosingReadsAsEndOfStream()
    {
        using var pair = await SocketPair.ConnectAsync();
        var read = pair.Loop.ReadAsync(new byte[16]).AsTask();
        pair.Peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await read.WaitAsync(Bound));
    }

    [Fact]
    public async Task DataFollowedByTheEndReadsAsTheDataThenTheEnd()
    {
        // Both arrive before the first read, which takes the bytes in a short read: the end behind them brings no
        // further edge, so the next read must not wait for one.
        using var pair = await SocketPair.ConnectAsync();
        pair.Peer.Send("last"u8);
        pair.Peer.Shutdown(SocketShutdown.Send);
        await Task.Delay(100);

        var buffer = new byte[64];
        Assert.Equal(4, await pair.Loop.ReadAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal(0, await pair.Loop.ReadAsync(buffer).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task DisposingTheStreamFailsAWaitingRead()
    {
        // Closing a socket removes it from epoll, so no edge would ever end this read: the stream must end it.
        using var pair = await SocketPair.ConnectAsync();
        var read = pair.Loop.ReadAsync(new byte[16]).AsTask();
        await Task.Delay(50);
        pair.Loop.Dispose();
        await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(Bound));
    }

    [Fact]
    public async Task CancellingEndsAWaitingReadAndTheNextReadStillWorks()
    {
        using var pair = await SocketPair.ConnectAsync();
        using var cts = new CancellationTokenSource();
        var read = pair.Loop.ReadAsync(new byte[16], cts.Token).AsTask();
        await Task.Delay(50);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Bound));

        pair.Peer.Send("after"u8);
        var buffer = new byte[16];
        Assert.Equal(5, await pair.Loop.ReadAsync(buffer).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task ASyncReadTimesOut()
    {
        using var pair = await SocketPair.ConnectAsync();
        pair.Loop.ReadTimeout = 200;
        var error = Assert.Throws<IOException>(() => pair.Loop.Read(new byte[16]));
        Assert.Contains("Timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AContinuationBlockingItsPollerDoesNotStopTheOtherSockets()
    {
        // A poller that finds no other poller waiting, with the cap reached, hands the completion to the thread pool;
        // then this attempt proves nothing and the next one is tried (bounded).
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            if (await BlockAPollerAndReadAnotherSocketAsync())
            {
                return;
            }
        }

        Assert.Fail("In 10 attempts the first read's continuation never ran on a poller.");
    }

    [Fact]
    public async Task AContinuationWaitingSynchronouslyOnAnotherSocketsReadIsNotADeadlock()
    {
        // The two responses arrive together. Had one poller taken both events and run the first continuation, which
        // blocks on the second read, that read's event would never be handled. Retried (bounded) when the cap sent
        // the first continuation to the pool, where it would prove nothing.
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            using var first = await SocketPair.ConnectAsync();
            using var second = await SocketPair.ConnectAsync();
            var secondRead = second.Loop.ReadAsync(new byte[16]).AsTask();
            var waiting = Task.Run(async () =>
            {
                Assert.Equal(5, await first.Loop.ReadAsync(new byte[16]));
                var onPoller = Thread.CurrentThread.Name == "Fleet.MySql poller";
#pragma warning disable xUnit1031 // The synchronous wait on another socket's read is the point of the test.
                Assert.True(secondRead.Wait(Bound));
#pragma warning restore xUnit1031
                return onPoller;
            });
            await Task.Delay(50);

            first.Peer.Send("first"u8);
            second.Peer.Send("other"u8);
            if (await waiting.WaitAsync(Bound))
            {
                return;
            }
        }

        Assert.Fail("In 10 attempts the first read's continuation never ran on a poller.");
    }

    /// <summary>False if the blocking continuation did not run on a poller (so nothing was shown).</summary>
    private static async Task<bool> BlockAPollerAndReadAnotherSocketAsync()
    {
        using var first = await SocketPair.ConnectAsync();
        using var second = await SocketPair.ConnectAsync();
        using var release = new ManualResetEventSlim();
        string? continuationThread = null;
        var blocked = Task.Run(async () =>
        {
            Assert.Equal(5, await first.Loop.ReadAsync(new byte[16]));
            Volatile.Write(ref continuationThread, Thread.CurrentThread.Name);
            release.Wait(Bound);
        });
        await Task.Delay(50);
        first.Peer.Send("block"u8);

        // Bounded: the continuation runs as soon as the edge is handled.
        for (var waited = 0; Volatile.Read(ref continuationThread) is null && waited < Bound.TotalMilliseconds; waited += 10)
        {
            await Task.Delay(10);
        }

        try
        {
            if (Volatile.Read(ref continuationThread) != "Fleet.MySql poller")
            {
                return false;
            }

            var read = second.Loop.ReadAsync(new byte[16]).AsTask();
            second.Peer.Send("other"u8);
            Assert.Equal(5, await read.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.False(blocked.IsCompleted);
            return true;
        }
        finally
        {
            release.Set();
            await blocked.WaitAsync(Bound);
        }
    }

    /// <summary>A loopback TCP connection: the client side on the loop, the server side a plain blocking socket.</summary>
    private sealed class SocketPair : IDisposable
    {
        private SocketPair(LoopSocketStream loop, Socket peer)
        {
            Loop = loop;
            Peer = peer;
        }

        public LoopSocketStream Loop { get; }

        public Socket Peer { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

            // A blocking connect: an async one would register the socket with the runtime's epoll too.
            client.Connect(listener.LocalEndPoint!);
            var peer = await listener.AcceptAsync();
            return new SocketPair(new LoopSocketStream(client), peer);
        }

        public void Dispose()
        {
            Loop.Dispose();
            Peer.Dispose();
        }
    }
}
