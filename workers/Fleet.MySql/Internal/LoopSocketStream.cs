using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Fleet.MySql.Internal;

/// <summary>
/// A non-blocking socket served by <see cref="SocketLoop"/>: reads and writes go straight to the socket and, when it
/// would block, wait for the loop's next edge for it. After a short read the socket is known to be empty, so the next
/// read waits for an edge without first asking the kernel (one recv per response instead of a recv that returns
/// EAGAIN and then the one that reads). Sync reads and writes poll the socket instead (the sync ADO.NET methods).
/// </summary>
internal sealed class LoopSocketStream : Stream
{
    private readonly Socket _socket;
    private readonly long _id;
    private readonly Waiter _readWaiter = new();
    private readonly Waiter _writeWaiter = new();
    private int _readEdges;
    private int _writeEdges;

    // The read edge count seen before a read that emptied the socket; equal to _readEdges means "nothing new".
    private int _drainedAt = -1;

    // Set for good once the peer hung up or the socket failed: a short read may then have taken the last bytes
    // without the end of stream behind them, and no further edge will come, so reads go to the kernel again.
    private int _hungUp;
    private int _closed;

    public LoopSocketStream(Socket socket)
    {
        _socket = socket;
        socket.Blocking = false;
        _id = SocketLoop.Register(socket, this);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override bool CanTimeout => true;

    /// <summary>Bounds a sync read (milliseconds, -1 for none), as NetworkStream's does.</summary>
    public override int ReadTimeout { get; set; } = Timeout.Infinite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    private bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Called by the loop; completes a waiting read or write on this thread when <paramref name="inline"/>.</summary>
    public void OnEvents(bool readable, bool writable, bool hangUp, bool inline)
    {
        // Counted before anything is signalled: a continuation run below must already see every edge of this event.
        if (hangUp)
        {
            Volatile.Write(ref _hungUp, 1);
        }

        if (readable)
        {
            Interlocked.Increment(ref _readEdges);
        }

        if (writable)
        {
            Interlocked.Increment(ref _writeEdges);
        }

        // At most one continuation runs here per event; a write waiter (a payload larger than the send buffer) goes
        // to the pool when a read waiter runs here too.
        if (writable)
        {
            _writeWaiter.Signal(inline && !(readable && _readWaiter.IsArmed));
        }

        if (readable)
        {
            _readWaiter.Signal(inline);
        }
    }

    /// <summary>Waits until a non-blocking connect finishes and throws if it failed.</summary>
    public async ValueTask CompleteConnectAsync(bool ioAsync, int timeoutMilliseconds, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _writeEdges);
        if (ioAsync)
        {
            while (!_socket.Poll(0, SelectMode.SelectWrite))
            {
                await _writeWaiter.WaitAsync(ref _writeEdges, seen, this, cancellationToken);
                seen = Volatile.Read(ref _writeEdges);
            }
        }
        else if (!_socket.Poll(PollTimeout(timeoutMilliseconds <= 0 ? Timeout.Infinite : timeoutMilliseconds), SelectMode.SelectWrite))
        {
            throw new SocketException((int)SocketError.TimedOut);
        }

        var error = (int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != 0)
        {
            throw new SocketException(error);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var seen = Volatile.Read(ref _readEdges);
        return (seen != _drainedAt || Volatile.Read(ref _hungUp) != 0) && TryReceive(buffer.Span, seen, out var read)
            ? new ValueTask<int>(read)
            : ReadWhenReadableAsync(buffer, seen, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var seen = Volatile.Read(ref _readEdges);
            if (TryReceive(buffer, seen, out var read))
            {
                return read;
            }

            if (!_socket.Poll(PollTimeout(ReadTimeout), SelectMode.SelectRead))
            {
                throw new IOException("Timed out waiting for the server.", new SocketException((int)SocketError.TimedOut));
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var seen = Volatile.Read(ref _writeEdges);
        var sent = TrySend(buffer.Span);
        return sent == buffer.Length ? default : WriteWhenWritableAsync(buffer[sent..], seen, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            buffer = buffer[TrySend(buffer)..];
            if (buffer.IsEmpty)
            {
                return;
            }

            _socket.Poll(-1, SelectMode.SelectWrite);
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            SocketLoop.Unregister(_id);

            // Closing the socket removes it from epoll, so no edge will come: wake whoever waits for one.
            var closed = new IOException("The connection was closed.", new ObjectDisposedException(nameof(Socket)));
            _readWaiter.Fail(closed);
            _writeWaiter.Fail(closed);
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadWhenReadableAsync(Memory<byte> buffer, int seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _readWaiter.WaitAsync(ref _readEdges, seen, this, cancellationToken);
            seen = Volatile.Read(ref _readEdges);
            if (TryReceive(buffer.Span, seen, out var read))
            {
                return read;
            }
        }
    }

    private async ValueTask WriteWhenWritableAsync(ReadOnlyMemory<byte> buffer, int seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _writeWaiter.WaitAsync(ref _writeEdges, seen, this, cancellationToken);
            seen = Volatile.Read(ref _writeEdges);
            buffer = buffer[TrySend(buffer.Span)..];
            if (buffer.IsEmpty)
            {
                return;
            }
        }
    }

    // Socket.Poll takes at most int.MaxValue microseconds (about 35 minutes); longer waits are as good as none.
    private static TimeSpan PollTimeout(int milliseconds) =>
        milliseconds < 0 || milliseconds > int.MaxValue / 1000 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>One non-blocking recv; false if the socket is empty. 0 bytes read means the server closed.</summary>
    private bool TryReceive(Span<byte> buffer, int seen, out int read)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        read = _socket.Receive(buffer, SocketFlags.None, out var error);
        if (error == SocketError.Success)
        {
            if (read > 0 && read < buffer.Length)
            {
                _drainedAt = seen;
            }

            return true;
        }

        if (error == SocketError.WouldBlock)
        {
            _drainedAt = seen;
            return false;
        }

        throw new IOException($"Reading from the server failed: {error}.", new SocketException((int)error));
    }

    /// <summary>Sends what the socket takes without blocking; returns the byte count.</summary>
    private int TrySend(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var sent = 0;
        while (sent < buffer.Length)
        {
            var count = _socket.Send(buffer[sent..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            if (error != SocketError.Success)
            {
                throw new IOException($"Writing to the server failed: {error}.", new SocketException((int)error));
            }

            sent += count;
        }

        return sent;
    }

    /// <summary>
    /// One pending wait for an edge. The loop and a cancellation race to complete it; whoever disarms it first does.
    /// Edges complete it on the loop's thread (the point of the loop); failures go through the thread pool, so a
    /// canceller's thread never runs the command's continuation.
    /// </summary>
    private sealed class Waiter : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;
        private CancellationTokenRegistration _registration;
        private int _armed;

        public bool IsArmed => Volatile.Read(ref _armed) != 0;

        public ValueTask WaitAsync(ref int edges, int seen, LoopSocketStream stream, CancellationToken cancellationToken)
        {
            _core.Reset();
            _registration = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Fail(new OperationCanceledException(token)), this)
                : default;

            // Armed with a full fence, then the edge count and the closed flag are read: an edge or a close that
            // came before is seen here, and one that comes after finds the waiter armed.
            Interlocked.Exchange(ref _armed, 1);
            if (Volatile.Read(ref edges) != seen || stream.IsClosed || cancellationToken.IsCancellationRequested)
            {
                if (Interlocked.Exchange(ref _armed, 0) == 1)
                {
                    _registration.Dispose();
                    ObjectDisposedException.ThrowIf(stream.IsClosed, stream);
                    cancellationToken.ThrowIfCancellationRequested();
                    return default;
                }
            }

            return new ValueTask(this, _core.Version);
        }

        public void Signal(bool inline)
        {
            if (Interlocked.Exchange(ref _armed, 0) != 1)
            {
                return;
            }

            if (inline)
            {
                _core.SetResult(true);
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(static waiter => waiter._core.SetResult(true), this, preferLocal: false);
            }
        }

        public void Fail(Exception exception)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Waiter._core.SetException(state.Exception), (Waiter: this, Exception: exception), preferLocal: false);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public void GetResult(short token)
        {
            _registration.Dispose();
            _core.GetResult(token);
        }
    }
}
