using System.Diagnostics;
using System.IO.Pipelines;
using Fleet.Nats.Commands;
using Fleet.Nats.Internal;

namespace Fleet.Nats;

public sealed partial class NatsConnection
{
    private readonly Pipe _outbound;

    // One writer at a time on the outbound pipe (PipeWriter is not thread-safe). A SemaphoreSlim rather than a lock
    // because a writer awaits the pipe's flush, which is where backpressure from a slow socket arrives.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Oldest first, one entry per PING in the pipe, so each PONG completes the right waiter.
    private readonly Queue<PongWaiter> _pongWaiters = new();

    // Byte positions in the outbound stream: written under _writeLock, sent by the write loop. Their difference is
    // what is waiting for the socket, and what the reconnect buffer limit applies to.
    private long _bytesWritten;
    private long _bytesSent;

    /// <summary>
    /// Publishes a message (PUB, or HPUB with headers). It is written to the outbound buffer and sent by the write
    /// loop; it completes once buffered, waiting only when the buffer is over its limit while connected.
    /// </summary>
    /// <exception cref="NatsPayloadTooLargeException">Headers plus data exceed the server's max_payload; nothing was sent.</exception>
    /// <exception cref="NatsReconnectBufferFullException">Disconnected and the reconnect buffer is full.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public ValueTask PublishAsync(
        string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers = null, string? replyTo = null, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject, nameof(subject));
        if (replyTo is not null)
        {
            ValidateSubject(replyTo, nameof(replyTo));
        }

        var info = _connectedOnce ? _serverInfo! : throw new InvalidOperationException("Call ConnectAsync before publishing.");
        var headersLength = headers?.GetSerializedLength() ?? 0;
        CheckPayloadSize(subject, headersLength, data.Length, info.MaxPayload);
        if (headers is not null && !info.HeadersSupported)
        {
            throw new NatsException($"The server {info.ServerId} does not support headers.");
        }

        var frameLength = ProtocolWriter.GetPublishLength(subject, replyTo, headersLength, data.Length, headers is not null);
        if (!_writeLock.Wait(0, CancellationToken.None))
        {
            return PublishContendedAsync(subject, data, headers, replyTo, frameLength, cancellationToken);
        }

        ValueTask<FlushResult> flush;
        try
        {
            WritePublishLocked(subject, data.Span, headers, replyTo, frameLength);
            flush = _outbound.Writer.FlushAsync(cancellationToken);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }

        if (flush.IsCompletedSuccessfully)
        {
            _writeLock.Release();
            return default;
        }

        return AwaitFlushAndReleaseAsync(flush);
    }

    /// <summary>Waits until the server has processed everything written before this call (a PING/PONG round trip).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => PingAsync(cancellationToken);

    /// <summary>Sends PING and returns the time until the matching PONG.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new PongWaiter(new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously));
        await WriteControlAsync(0, static (writer, _) => ProtocolWriter.WriteRaw(writer, ProtocolWriter.Ping), waiter, cancellationToken);
        return await waiter.Completion!.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Throws unless headers plus data fit the server's max_payload. Checked before anything is written.</summary>
    internal static void CheckPayloadSize(string subject, int headersLength, int dataLength, int maxPayload)
    {
        if ((long)headersLength + dataLength > maxPayload)
        {
            throw new NatsPayloadTooLargeException(
                $"The message for '{subject}' is {headersLength + (long)dataLength} bytes ({headersLength} of them headers), " +
                $"more than the server's max_payload of {maxPayload} bytes.");
        }
    }

    private static Pipe CreateOutboundPipe(NatsOptions options)
    {
        // Writers pause only beyond the reconnect buffer plus headroom, so while disconnected the explicit
        // NatsReconnectBufferFullException fires first and a publish never blocks on a dead socket.
        var pause = Math.Max(options.ReconnectBufferBytes, 64 * 1024) + (4L * 1024 * 1024);
        return new Pipe(new PipeOptions(
            pool: new OutboundMemoryPool(),
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            readerScheduler: new WriteLoopScheduler(),
            minimumSegmentSize: OutboundMemoryPool.BlockSize,
            useSynchronizationContext: false));
    }

    private async ValueTask PublishContendedAsync(
        string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, string? replyTo, int frameLength, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            WritePublishLocked(subject, data.Span, headers, replyTo, frameLength);
            await _outbound.Writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask AwaitFlushAndReleaseAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            await flush;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void WritePublishLocked(string subject, ReadOnlySpan<byte> data, NatsHeaders? headers, string? replyTo, int frameLength)
    {
        ThrowIfClosedLocked();
        if (State != NatsConnectionState.Connected)
        {
            var pending = _bytesWritten - Interlocked.Read(ref _bytesSent);
            if (pending + frameLength > _options.ReconnectBufferBytes)
            {
                throw new NatsReconnectBufferFullException(
                    $"Not connected to NATS, and the reconnect buffer already holds {pending} of {_options.ReconnectBufferBytes} bytes: " +
                    $"the {frameLength}-byte publish to '{subject}' was rejected.");
            }
        }

        var written = ProtocolWriter.WritePublish(_outbound.Writer, subject, replyTo, headers, data);
        Debug.Assert(written == frameLength, "GetPublishLength must match what WritePublish writes.");
        _bytesWritten += written;
    }

    /// <summary>Writes a control operation (SUB, UNSUB, PING, PONG); a PING registers its waiter in wire order.</summary>
    private async ValueTask WriteControlAsync<TState>(
        TState state, Func<PipeWriter, TState, int> write, PongWaiter? waiter, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosedLocked();
            _bytesWritten += write(_outbound.Writer, state);
            if (waiter is not null)
            {
                waiter.Position = _bytesWritten;
                waiter.StartTimestamp = Stopwatch.GetTimestamp();
                lock (_pongWaiters)
                {
                    _pongWaiters.Enqueue(waiter);
                }
            }

            await _outbound.Writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private ValueTask WriteUnsubscribeAsync(long sid, CancellationToken cancellationToken) =>
        WriteControlAsync(sid, static (writer, s) => ProtocolWriter.WriteUnsubscribe(writer, s, null), null, cancellationToken);

    private void ThrowIfClosedLocked()
    {
        Exception? closed;
        lock (_stateLock)
        {
            closed = _closedError;
        }

        switch (closed)
        {
            case null:
                return;
            case ObjectDisposedException:
                throw new ObjectDisposedException(nameof(NatsConnection), "The NATS connection was disposed.");
            default:
                throw new NatsException($"The NATS connection is closed: {closed.Message}", closed);
        }
    }

    private void OnPong()
    {
        Interlocked.Exchange(ref _pingsOut, 0);
        PongWaiter? waiter;
        lock (_pongWaiters)
        {
            _pongWaiters.TryDequeue(out waiter);
        }

        waiter?.Completion?.TrySetResult(Stopwatch.GetElapsedTime(waiter.StartTimestamp));
    }

    /// <summary>Fails the waiters whose PING went out on a connection that died; the rest are still in the pipe.</summary>
    private void FailSentPongWaiters(Exception error, bool all)
    {
        var sent = Interlocked.Read(ref _bytesSent);
        List<PongWaiter> failed = [];
        lock (_pongWaiters)
        {
            while (_pongWaiters.TryPeek(out var waiter) && (all || waiter.Position <= sent))
            {
                failed.Add(_pongWaiters.Dequeue());
            }
        }

        foreach (var waiter in failed)
        {
            waiter.Completion?.TrySetException(error);
        }
    }

    /// <summary>A PING waiting for its PONG. Keep-alive PINGs have no completion but still hold their place in line.</summary>
    private sealed class PongWaiter(TaskCompletionSource<TimeSpan>? completion)
    {
        public TaskCompletionSource<TimeSpan>? Completion { get; } = completion;

        public long Position { get; set; }

        public long StartTimestamp { get; set; }
    }
}
