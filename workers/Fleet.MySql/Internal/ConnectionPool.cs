using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Fleet.MySql.Internal;

/// <summary>
/// Sessions for one connection string. Checkout costs no round trip: a LIFO idle stack (the warmest socket first),
/// a no-I/O socket poll to skip sessions the server closed, and COM_RESET_CONNECTION only for sessions the previous
/// user dirtied. Capacity is a semaphore, so callers wait asynchronously when the pool is exhausted.
/// </summary>
#pragma warning disable CA1001 // Pools live as long as the process (like ADO.NET pools); there is no owner to dispose them.
internal sealed class ConnectionPool
#pragma warning restore CA1001
{
    private static readonly ConcurrentDictionary<string, ConnectionPool> Pools = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _slots;
    private readonly Stack<ServerSession> _idle = new();
    private readonly Lock _idleLock = new();
    private int _generation;

    private ConnectionPool(ConnectionSettings settings)
    {
        Settings = settings;
        _slots = new SemaphoreSlim(settings.MaximumPoolSize, settings.MaximumPoolSize);
    }

    public ConnectionSettings Settings { get; }

    public int IdleCount
    {
        get
        {
            lock (_idleLock)
            {
                return _idle.Count;
            }
        }
    }

    public static ConnectionPool Get(ConnectionSettings settings) =>
        Pools.GetOrAdd(settings.ConnectionString, static (_, s) => new ConnectionPool(s), settings);

    public static ConnectionPool? Find(string connectionString) =>
        Pools.TryGetValue(connectionString, out var pool) ? pool : null;

    public static void ClearAll()
    {
        foreach (var pool in Pools.Values)
        {
            pool.Clear();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ServerSession> GetSessionAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        var timeout = Settings.ConnectionTimeout == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Settings.ConnectionTimeout);
        var acquired = ioAsync
            ? await _slots.WaitAsync(timeout, cancellationToken)
            : _slots.Wait(timeout, cancellationToken);
        if (!acquired)
        {
            throw new MySqlException(
                MySqlErrorCodes.ConnectionPoolTimeout,
                null,
                $"All {Settings.MaximumPoolSize} pooled connections are in use and none was returned within the connection timeout " +
                $"({Settings.ConnectionTimeout} s). Dispose connections promptly or raise Maximum Pool Size.");
        }

        try
        {
            // Bounded by the idle count: every iteration pops one session.
            while (TryPopIdle(out var session))
            {
                if (!IsReusable(session))
                {
                    session.Dispose();
                    continue;
                }

                // Without Connection Reset the caller owns session state, but never someone else's open transaction.
                if (session.IsDirty && (Settings.ConnectionReset || (session.Status & ServerStatus.InTransaction) != 0))
                {
                    try
                    {
                        await session.ResetAsync(ioAsync, cancellationToken);
                    }
                    catch (Exception ex) when (ex is MySqlException or IOException or MySqlProtocolException or ObjectDisposedException)
                    {
                        // A session that cannot be reset is not worth diagnosing: replace it.
                        session.Dispose();
                        continue;
                    }
                }

                return session;
            }

            var fresh = new ServerSession(Settings, this, Volatile.Read(ref _generation));
            await fresh.ConnectAsync(ioAsync, cancellationToken);
            return fresh;
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public void Return(ServerSession session)
    {
        try
        {
            if (session.IsBroken || session.Generation != Volatile.Read(ref _generation) || IsPastLifetime(session))
            {
                session.Dispose();
                return;
            }

            // An open transaction must never leak to the next user: the reset on checkout rolls it back.
            if ((session.Status & ServerStatus.InTransaction) != 0)
            {
                session.IsDirty = true;
            }

            session.LastReturnedTimestamp = Stopwatch.GetTimestamp();
            lock (_idleLock)
            {
                _idle.Push(session);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Closes idle sessions now and retires busy ones when they come back.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        List<ServerSession> idle;
        lock (_idleLock)
        {
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var session in idle)
        {
            session.Dispose();
        }
    }

    private bool TryPopIdle(out ServerSession session)
    {
        lock (_idleLock)
        {
            return _idle.TryPop(out session!);
        }
    }

    private bool IsReusable(ServerSession session)
    {
        if (session.Generation != Volatile.Read(ref _generation) || IsPastLifetime(session))
        {
            return false;
        }

        // Minimum Pool Size: that many idle sessions are kept however long they have been idle.
        if (Settings.ConnectionIdleTimeout > 0
            && IdleCount >= Settings.MinimumPoolSize
            && Stopwatch.GetElapsedTime(session.LastReturnedTimestamp) > TimeSpan.FromSeconds(Settings.ConnectionIdleTimeout))
        {
            return false;
        }

        return session.LooksAlive();
    }

    private bool IsPastLifetime(ServerSession session) =>
        Settings.ConnectionLifetime > 0
        && Stopwatch.GetElapsedTime(session.CreatedTimestamp) > TimeSpan.FromSeconds(Settings.ConnectionLifetime);
}
