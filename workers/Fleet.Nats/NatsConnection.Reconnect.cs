using System.Buffers;
using System.Net.Sockets;
using Fleet.Nats.Commands;
using Fleet.Nats.Internal;
using Microsoft.Extensions.Logging;

namespace Fleet.Nats;

public sealed partial class NatsConnection
{
    /// <summary>
    /// The write loop sends a buffer split over several pipe segments as one socket write if it fits here:
    /// fewer syscalls and fewer small TCP segments when many small messages are queued.
    /// </summary>
    private const int CoalesceBufferSize = 64 * 1024;

    private readonly byte[] _coalesceBuffer = new byte[CoalesceBufferSize];

    /// <summary>Connects a socket and runs INFO → CONNECT (+ SUBs on reconnect) → PING → PONG on it.</summary>
    private async Task<ServerConnection> EstablishAsync(Uri server, bool resubscribe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ServerConnection? connection = null;
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
            connection = new ServerConnection(socket, server);
            await HandshakeAsync(connection, resubscribe, timeout.Token);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(connection, socket);
            throw new TimeoutException($"Connecting to {server} took longer than {_options.ConnectTimeout}.");
        }
        catch
        {
            await DisposeQuietlyAsync(connection, socket);
            throw;
        }
    }

    private static async ValueTask DisposeQuietlyAsync(ServerConnection? connection, Socket socket)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }
    }

    private async Task HandshakeAsync(ServerConnection connection, bool resubscribe, CancellationToken cancellationToken)
    {
        var gotInfo = false;
        var gotPong = false;
        while (!gotPong)
        {
            var result = await connection.Input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (!gotPong && NatsProtocolParser.TryRead(ref buffer, out var frame))
                {
                    if (!gotInfo)
                    {
                        if (frame.Op != ServerOp.Info)
                        {
                            throw new NatsProtocolException($"Expected INFO from {connection.Server}, got {frame.Op}.");
                        }

                        OnServerInfo(frame.InfoJson);
                        gotInfo = true;
                        await connection.Stream.WriteAsync(BuildHandshake(resubscribe), cancellationToken);
                        continue;
                    }

                    switch (frame.Op)
                    {
                        case ServerOp.Pong:
                            gotPong = true;
                            break;
                        case ServerOp.Ping:
                            await connection.Stream.WriteAsync(ProtocolWriter.Pong.ToArray(), cancellationToken);
                            break;
                        case ServerOp.Err:
                            throw new NatsServerErrorException($"NATS server {connection.Server} refused the connection: {frame.Text}");
                        case ServerOp.Info:
                            OnServerInfo(frame.InfoJson);
                            break;
                        case ServerOp.Msg or ServerOp.HMsg:
                            // Re-subscribed before the PING, so messages may precede the PONG.
                            await DispatchAsync(frame, cancellationToken);
                            break;
                    }
                }
            }
            finally
            {
                // Anything after the PONG is unread: leave it "unexamined" so the read loop sees it immediately.
                if (gotPong)
                {
                    connection.Input.AdvanceTo(buffer.Start);
                }
                else
                {
                    connection.Input.AdvanceTo(buffer.Start, buffer.End);
                }
            }

            if (result.IsCompleted && !gotPong)
            {
                throw new NatsException($"NATS server {connection.Server} closed the connection during the handshake.");
            }
        }
    }

    private ReadOnlyMemory<byte> BuildHandshake(bool resubscribe)
    {
        var writer = new ArrayBufferWriter<byte>(512);
        ProtocolWriter.WriteConnect(writer, _options, ClientVersion);
        if (resubscribe)
        {
            var inboxSid = Volatile.Read(ref _inboxSid);
            if (inboxSid != 0)
            {
                ProtocolWriter.WriteSubscribe(writer, _inboxPrefix + "*", null, inboxSid);
            }

            foreach (var subscription in _subscriptions.Values)
            {
                if (subscription.IsUnsubscribed)
                {
                    continue;
                }

                ProtocolWriter.WriteSubscribe(writer, subscription.Subject, subscription.QueueGroup, subscription.Sid);
                if (subscription.MaxMessages is { } max)
                {
                    // The server forgot the old count with the old connection; ask only for what is still owed.
                    ProtocolWriter.WriteUnsubscribe(writer, subscription.Sid, Math.Max(1, max - subscription.Received));
                }
            }
        }

        ProtocolWriter.WriteRaw(writer, ProtocolWriter.Ping);
        return writer.WrittenMemory;
    }

    /// <summary>Makes a handshaken connection the current one and starts its loops; false if the client closed meanwhile.</summary>
    private bool Activate(ServerConnection connection)
    {
        lock (_stateLock)
        {
            if (_closedError is not null)
            {
                return false;
            }

            _current = connection;
            _state = NatsConnectionState.Connected;
            _connectedOnce = true;
        }

        Interlocked.Exchange(ref _pingsOut, 0);
        _ = Task.Run(() => ReadLoopAsync(connection));
        _ = Task.Run(() => WriteLoopAsync(connection));
        _ = Task.Run(() => PingLoopAsync(connection));
        RaiseStateChanged(NatsConnectionState.Connected);
        return true;
    }

    private async Task ReadLoopAsync(ServerConnection connection)
    {
        var subjects = new SubjectCache();
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await connection.Input.ReadAsync(connection.Token);
                var buffer = result.Buffer;
                try
                {
                    while (NatsProtocolParser.TryRead(ref buffer, out var frame, subjects))
                    {
                        await HandleFrameAsync(connection, frame);
                    }
                }
                finally
                {
                    connection.Input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    error = new NatsException($"NATS server {connection.Server} closed the connection.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (connection.Token.IsCancellationRequested)
        {
            // Aborted by whoever noticed the loss first.
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            connection.ReadLoopDone.TrySetResult();
        }

        OnConnectionLost(connection, error);
    }

    private async ValueTask HandleFrameAsync(ServerConnection connection, ServerFrame frame)
    {
        switch (frame.Op)
        {
            case ServerOp.Msg or ServerOp.HMsg:
                await DispatchAsync(frame, connection.Token);
                break;
            case ServerOp.Ping:
                await WriteControlAsync(0, static (writer, _) => ProtocolWriter.WriteRaw(writer, ProtocolWriter.Pong), null, connection.Token);
                break;
            case ServerOp.Pong:
                OnPong();
                break;
            case ServerOp.Info:
                OnServerInfo(frame.InfoJson);
                break;
            case ServerOp.Err:
                OnServerError(frame.Text ?? string.Empty);
                break;
            case ServerOp.Ok:
                break;
        }
    }

    private async Task WriteLoopAsync(ServerConnection connection)
    {
        var reader = _outbound.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                CommitStrandedWrites(connection);
                var result = await reader.ReadAsync();
                Volatile.Write(ref _writeLoopIdle, 0);
                var buffer = result.Buffer;
                if (connection.IsLost)
                {
                    // Unsent bytes stay in the pipe for the next connection: the buffered publishes of a reconnect.
                    reader.AdvanceTo(buffer.Start);
                    return;
                }

                if (result.IsCanceled)
                {
                    // A CancelPendingRead meant for a previous connection's loop.
                    reader.AdvanceTo(buffer.Start);
                    continue;
                }

                var sent = false;
                try
                {
                    await SendAsync(connection, buffer);
                    sent = true;
                }
                finally
                {
                    // Advance only over whole reads: buffer.Start is always a frame boundary, so a resend after a
                    // failure starts cleanly on the next connection (at worst repeating frames, never cutting one).
                    if (sent)
                    {
                        Interlocked.Add(ref _bytesSent, buffer.Length);
                        reader.AdvanceTo(buffer.End);
                    }
                    else
                    {
                        reader.AdvanceTo(buffer.Start);
                    }
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (connection.Token.IsCancellationRequested)
        {
            // Aborted by whoever noticed the loss first.
        }
        catch (Exception ex)
        {
            // Whatever broke the send, the socket is no longer trustworthy: replace it like any other loss.
            error = ex;
        }
        finally
        {
            connection.WriteLoopDone.TrySetResult();
        }

        OnConnectionLost(connection, error);
    }

    private async ValueTask SendAsync(ServerConnection connection, ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            await connection.Stream.WriteAsync(buffer.First, connection.Token);
            return;
        }

        if (buffer.Length <= CoalesceBufferSize)
        {
            buffer.CopyTo(_coalesceBuffer);
            await connection.Stream.WriteAsync(_coalesceBuffer.AsMemory(0, (int)buffer.Length), connection.Token);
            return;
        }

        foreach (var segment in buffer)
        {
            await connection.Stream.WriteAsync(segment, connection.Token);
        }
    }

    private async Task PingLoopAsync(ServerConnection connection)
    {
        using var timer = new PeriodicTimer(_options.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Token))
            {
                if (Interlocked.Increment(ref _pingsOut) > _options.MaxPingsOut)
                {
                    _logger.LogWarning(
                        "NATS connection to {Server} is stale: {MaxPingsOut} PINGs went unanswered", connection.Server, _options.MaxPingsOut);
                    OnConnectionLost(connection, new NatsException("Stale connection: the server stopped answering PINGs."));
                    return;
                }

                await WriteControlAsync(0, static (writer, _) => ProtocolWriter.WriteRaw(writer, ProtocolWriter.Ping), new PongWaiter(null), connection.Token);
            }
        }
        catch (OperationCanceledException) when (connection.Token.IsCancellationRequested)
        {
            // The connection ended; its successor runs its own ping loop.
        }
        catch (Exception ex) when (ex is ObjectDisposedException or NatsException)
        {
            // The client closed while this loop was writing.
        }
    }

    private void OnConnectionLost(ServerConnection connection, Exception? error)
    {
        if (!connection.TryMarkLost())
        {
            return;
        }

        connection.Abort();
        _outbound.Reader.CancelPendingRead();
        bool reconnect;
        lock (_stateLock)
        {
            reconnect = _current == connection && _closedError is null && !_disposeStarted;
            if (_current == connection && _closedError is null)
            {
                _state = _disposeStarted ? NatsConnectionState.Closed : NatsConnectionState.Reconnecting;
            }
        }

        if (!reconnect)
        {
            FailSentPongWaiters(new NatsException("The NATS connection was lost while closing."), all: true);
            return;
        }

        _logger.LogWarning("Lost the NATS connection to {Server}: {Reason}", connection.Server, error?.Message ?? "closed");
        RaiseStateChanged(NatsConnectionState.Reconnecting);
        lock (_stateLock)
        {
            _reconnectTask = Task.Run(() => ReconnectAsync(connection));
        }
    }

    private async Task ReconnectAsync(ServerConnection lost)
    {
        await lost.ReadLoopDone.Task;
        await lost.WriteLoopDone.Task;
        await lost.DisposeAsync();
        FailSentPongWaiters(new NatsException($"The NATS connection to {lost.Server} was lost before the PONG arrived."), all: false);

        var attempts = 0;
        for (var pass = 1; ; pass++)
        {
            foreach (var server in GetServerCandidates())
            {
                if (_options.MaxReconnectAttempts >= 0 && attempts >= _options.MaxReconnectAttempts)
                {
                    _logger.LogError("Giving up on NATS after {Attempts} reconnect attempts", attempts);
                    await CloseAsync(new NatsException($"Could not reconnect to NATS in {attempts} attempts."));
                    return;
                }

                attempts++;
                try
                {
                    var connection = await EstablishAsync(server, resubscribe: true, _disposeCancellation.Token);
                    if (!Activate(connection))
                    {
                        await connection.DisposeAsync();
                        return;
                    }

                    _logger.LogInformation("Reconnected to NATS at {Server} after {Attempts} attempts", server, attempts);
                    return;
                }
                catch (OperationCanceledException) when (_disposeCancellation.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    _logger.LogDebug("NATS reconnect attempt {Attempt} to {Server} failed: {Reason}", attempts, server, ex.Message);
                }
            }

            try
            {
                await Task.Delay(GetReconnectDelay(pass), _disposeCancellation.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Exponential from ReconnectWaitMin to ReconnectWaitMax, then "equal jitter" (half fixed, half random) so that a
    /// fleet of workers losing the same server does not return to it in lockstep.
    /// </summary>
    private TimeSpan GetReconnectDelay(int pass)
    {
        var min = _options.ReconnectWaitMin.TotalMilliseconds;
        var max = Math.Max(min, _options.ReconnectWaitMax.TotalMilliseconds);
        var ceiling = Math.Min(max, min * Math.Pow(2, Math.Min(pass - 1, 20)));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    /// <summary>Ends the client for good: stops loops and reconnects, fails every waiter, closes the channels.</summary>
    private async Task CloseAsync(Exception reason)
    {
        ServerConnection? connection;
        Task reconnect;
        lock (_stateLock)
        {
            if (_closedError is not null)
            {
                return;
            }

            _closedError = reason;
            connection = _current;
            _current = null;
            _state = NatsConnectionState.Closed;
            reconnect = _reconnectTask;
        }

        await _disposeCancellation.CancelAsync();
        if (connection is not null)
        {
            connection.TryMarkLost();
            connection.Abort();
            _outbound.Reader.CancelPendingRead();
            await connection.ReadLoopDone.Task;
            await connection.WriteLoopDone.Task;
            await connection.DisposeAsync();
        }

        if (reason is not ObjectDisposedException)
        {
            // Called from the reconnect task itself when out of attempts: don't wait for ourselves.
            reconnect = Task.CompletedTask;
        }

        await reconnect;
        var unsent = _bytesWritten - Interlocked.Read(ref _bytesSent);
        if (unsent > 0)
        {
            _logger.LogWarning("Closing the NATS connection with {UnsentBytes} bytes never sent", unsent);
        }

        // Completing the reader first releases a publisher waiting on backpressure, so it can let go of the lock.
        await _outbound.Reader.CompleteAsync();
        await _writeGate.EnterAsync();
        try
        {
            await _outbound.Writer.CompleteAsync();
        }
        finally
        {
            _writeGate.Exit();
        }

        var error = reason as NatsException ?? new NatsException("The NATS connection was closed.", reason);
        foreach (var subscription in _subscriptions.Values)
        {
            _subscriptions.TryRemove(subscription.Sid, out _);
            subscription.MarkUnsubscribed();
            subscription.Complete(reason is ObjectDisposedException ? null : error);
        }

        FailRequests(reason is ObjectDisposedException ? new ObjectDisposedException(nameof(NatsConnection), "The NATS connection was disposed.") : error);
        FailSentPongWaiters(error, all: true);
        RaiseStateChanged(NatsConnectionState.Closed);
    }
}
