using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Fleet.Nats.Commands;
using Fleet.Nats.Internal;

namespace Fleet.Nats;

public sealed partial class NatsConnection
{
    // Writers commit at least this often: the write loop's socket write size (CoalesceBufferSize), so a publisher that
    // runs ahead of a busy write loop hands it full batches, and backpressure (checked on commit) stays prompt.
    private const int CommitThreshold = CoalesceBufferSize;

    private readonly Pipe _outbound;

    // One writer at a time on the outbound pipe (PipeWriter is not thread-safe). A gate rather than a lock because a
    // writer awaits the pipe's flush, which is where backpressure from a slow socket arrives.
    private readonly WriteGate _writeGate = new();

    // Oldest first, one entry per PING in the pipe, so each PONG completes the right waiter.
    private readonly Queue<PongWaiter> _pongWaiters = new();

    // Byte positions in the outbound stream: written under _writeGate, sent by the write loop. Their difference is
    // what is waiting for the socket, and what the reconnect buffer limit applies to.
    private long _bytesWritten;
    private long _bytesSent;

    // Bytes written into the pipe but not yet committed by a FlushAsync: changed under _writeGate, read by the write
    // loop. A commit per message (FlushAsync, then the pipe re-acquiring its write head under its lock) cost more
    // than half of a 16-byte publish (bench/RESULTS.md), so writers commit only when the write loop is idle or this
    // passes CommitThreshold, and the write loop commits what is left when it runs out of work (CommitStrandedWrites).
    private long _uncommittedBytes;

    // 1 while the write loop is about to wait for data (or waits): the next writer must commit to wake it.
    private int _writeLoopIdle;

    // Publishers mostly pass the same subject string instance again and again. Once one is seen twice in a row it is
    // kept validated and UTF-8 encoded (about a sixth of a 16-byte publish's client CPU, bench/RESULTS.md); a subject
    // seen once costs only a reference. Written by racing publishers without a lock: each field is one reference.
    private EncodedSubject? _encodedSubject;
    private string? _lastSubject;

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
        var subjectUtf8 = EncodeRepeatedSubject(subject);
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

        var frameLength = ProtocolWriter.GetPublishLength(subject, replyTo, headersLength, data.Length, headers is not null, subjectUtf8);
        if (!TryEnterWriteLock())
        {
            return PublishContendedAsync(subject, subjectUtf8, data, headers, replyTo, frameLength, cancellationToken);
        }

        ValueTask<FlushResult> flush;
        try
        {
            WritePublishLocked(subject, subjectUtf8, data.Span, headers, replyTo, frameLength);
            if (!NeedsCommitLocked())
            {
                _writeGate.Exit();
                return default;
            }

            flush = CommitLocked(cancellationToken);
        }
        catch
        {
            _writeGate.Exit();
            throw;
        }

        if (flush.IsCompletedSuccessfully)
        {
            _writeGate.Exit();
            return default;
        }

        return AwaitFlushAndReleaseAsync(flush);
    }

    /// <summary>
    /// Takes _writeGate without waiting, retrying briefly: most holders (the write loop committing, another publisher)
    /// keep it for well under a microsecond, and the asynchronous wait allocates a waiter and completes the publish
    /// on another thread.
    /// </summary>
    private bool TryEnterWriteLock()
    {
        if (_writeGate.TryEnter())
        {
            return true;
        }

        var spin = default(SpinWait);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (_writeGate.TryEnter())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Validates the subject, and returns its cached UTF-8 bytes when it is the same string instance as the previous
    /// publish's (caching it on that second use), or null when the writer has to encode it.
    /// </summary>
    private byte[]? EncodeRepeatedSubject(string subject)
    {
        var encoded = Volatile.Read(ref _encodedSubject);
        if (encoded is not null && ReferenceEquals(encoded.Text, subject))
        {
            return encoded.Utf8;
        }

        ValidateSubject(subject, nameof(subject));
        if (!ReferenceEquals(Volatile.Read(ref _lastSubject), subject))
        {
            Volatile.Write(ref _lastSubject, subject);
            return null;
        }

        encoded = new EncodedSubject(subject, Encoding.UTF8.GetBytes(subject));
        Volatile.Write(ref _encodedSubject, encoded);
        return encoded.Utf8;
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
            pool: new OutboundMemoryPool(pause).Prefill(),
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            readerScheduler: new WriteLoopScheduler(),
            minimumSegmentSize: OutboundMemoryPool.BlockSize,
            useSynchronizationContext: false));
    }

    private async ValueTask PublishContendedAsync(
        string subject,
        byte[]? subjectUtf8,
        ReadOnlyMemory<byte> data,
        NatsHeaders? headers,
        string? replyTo,
        int frameLength,
        CancellationToken cancellationToken)
    {
        await _writeGate.EnterAsync(cancellationToken);
        try
        {
            WritePublishLocked(subject, subjectUtf8, data.Span, headers, replyTo, frameLength);
            if (NeedsCommitLocked())
            {
                await CommitLocked(cancellationToken);
            }
        }
        finally
        {
            _writeGate.Exit();
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
            _writeGate.Exit();
        }
    }

    private async Task ReleaseAfterCommitAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            await flush;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // The pipe was completed by a close meanwhile; the closing path owns reporting that.
        }
        finally
        {
            _writeGate.Exit();
        }
    }

    private void WritePublishLocked(
        string subject, byte[]? subjectUtf8, ReadOnlySpan<byte> data, NatsHeaders? headers, string? replyTo, int frameLength)
    {
        ThrowIfClosedLocked();
        if (_state != NatsConnectionState.Connected)
        {
            var pending = _bytesWritten - Interlocked.Read(ref _bytesSent);
            if (pending + frameLength > _options.ReconnectBufferBytes)
            {
                throw new NatsReconnectBufferFullException(
                    $"Not connected to NATS, and the reconnect buffer already holds {pending} of {_options.ReconnectBufferBytes} bytes: " +
                    $"the {frameLength}-byte publish to '{subject}' was rejected.");
            }
        }

        var written = ProtocolWriter.WritePublish(_outbound.Writer, subject, replyTo, headers, data, subjectUtf8);
        Debug.Assert(written == frameLength, "GetPublishLength must match what WritePublish writes.");
        _bytesWritten += written;
        _uncommittedBytes += written;
    }

    /// <summary>Whether the writer holding _writeGate must commit now: past the threshold, or the write loop is idle.</summary>
    private bool NeedsCommitLocked()
    {
        if (_uncommittedBytes >= CommitThreshold)
        {
            return true;
        }

        // Pairs with the fence in CommitStrandedWrites (store, fence, load on both sides): either this writer sees
        // the loop idle and commits, or the loop sees these uncommitted bytes and commits them itself.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _writeLoopIdle) != 0;
    }

    /// <summary>Commits everything written so far and wakes the write loop; the result carries the pipe's backpressure.</summary>
    private ValueTask<FlushResult> CommitLocked(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _uncommittedBytes, 0);
        Volatile.Write(ref _writeLoopIdle, 0);
        return _outbound.Writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Called by the write loop before it waits for data: announces that it is idle, then commits whatever writers
    /// left uncommitted. It never waits for _writeGate (a writer holding it may be waiting on this loop to drain the
    /// pipe); while another writer holds it, that writer either commits on seeing the loop idle or has already
    /// released, so retrying the lock ends soon.
    /// </summary>
    private void CommitStrandedWrites(ServerConnection connection)
    {
        Volatile.Write(ref _writeLoopIdle, 1);
        Interlocked.MemoryBarrier();
        var spin = default(SpinWait);
        while (Volatile.Read(ref _uncommittedBytes) > 0 && Volatile.Read(ref _writeLoopIdle) != 0 && !connection.IsLost)
        {
            // While publishers keep coming, the next one commits on seeing the loop idle: give it a few microseconds
            // before competing with it for the lock, so that publishers rarely find the lock taken by this loop.
            if (spin.Count < 10 || !_writeGate.TryEnter())
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            ValueTask<FlushResult> flush;
            try
            {
                if (_uncommittedBytes == 0)
                {
                    _writeGate.Exit();
                    return;
                }

                flush = CommitLocked(CancellationToken.None);
            }
            catch
            {
                _writeGate.Exit();
                throw;
            }

            if (flush.IsCompleted)
            {
                _writeGate.Exit();
                flush.GetAwaiter().GetResult();
            }
            else
            {
                // Over the pause threshold: only this loop can drain it, so release the lock once it has.
                _ = ReleaseAfterCommitAsync(flush);
            }

            return;
        }
    }

    /// <summary>Writes a control operation (SUB, UNSUB, PING, PONG); a PING registers its waiter in wire order.</summary>
    private async ValueTask WriteControlAsync<TState>(
        TState state, Func<PipeWriter, TState, int> write, PongWaiter? waiter, CancellationToken cancellationToken)
    {
        await _writeGate.EnterAsync(cancellationToken);
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

            await CommitLocked(cancellationToken);
        }
        finally
        {
            _writeGate.Exit();
        }
    }

    private ValueTask WriteUnsubscribeAsync(long sid, CancellationToken cancellationToken) =>
        WriteControlAsync(sid, static (writer, s) => ProtocolWriter.WriteUnsubscribe(writer, s, null), null, cancellationToken);

    private void ThrowIfClosedLocked()
    {
        switch (_closedError)
        {
            case null:
                return;
            case ObjectDisposedException:
                throw new ObjectDisposedException(nameof(NatsConnection), "The NATS connection was disposed.");
            case var closed:
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

    /// <summary>A validated subject and its UTF-8 bytes; immutable, so racing publishers can share it.</summary>
    private sealed record EncodedSubject(string Text, byte[] Utf8);
}
