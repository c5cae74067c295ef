using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Fleet.MySql.Internal;

namespace Fleet.MySql;

/// <summary>
/// A connection to MySQL or MariaDB. With Pooling=true (the default) Open takes a session from the pool of its
/// connection string without a round trip, and Close/Dispose give it back.
/// </summary>
public sealed class MySqlConnection : DbConnection
{
    private static readonly ConcurrentDictionary<string, ConnectionSettings> SettingsCache = new(StringComparer.Ordinal);

    private string _connectionString = string.Empty;
    private ServerSession? _session;
    private ConnectionState _state = ConnectionState.Closed;
    private string? _database;

    /// <summary>Creates a connection with no connection string.</summary>
    public MySqlConnection()
    {
    }

    /// <summary>Creates a connection for <paramref name="connectionString"/> (MySqlConnector keywords).</summary>
    public MySqlConnection(string? connectionString)
    {
        ConnectionString = connectionString;
    }

    /// <inheritdoc />
    [AllowNull]
    public override string ConnectionString
    {
        get => _connectionString;
        set
        {
            if (_state != ConnectionState.Closed)
            {
                throw new InvalidOperationException("The connection string cannot change while the connection is open.");
            }

            _connectionString = value ?? string.Empty;
            Settings = _connectionString.Length == 0 ? null : SettingsCache.GetOrAdd(_connectionString, ConnectionSettings.Parse);
        }
    }

    /// <inheritdoc />
    public override string Database => _database ?? Settings?.Database ?? string.Empty;

    /// <inheritdoc />
    public override string DataSource => Settings is null ? string.Empty : Settings.UnixSocket ?? string.Join(",", Settings.Hosts);

    /// <inheritdoc />
    public override string ServerVersion => OpenSession.ServerVersion;

    /// <summary>The server's id for this connection (what KILL and SHOW PROCESSLIST use).</summary>
    public int ServerThread => OpenSession.ConnectionId;

    /// <inheritdoc />
    public override ConnectionState State => _state;

    /// <inheritdoc />
    public override int ConnectionTimeout => Settings?.ConnectionTimeout ?? 15;

    /// <summary>True when the session is encrypted with TLS.</summary>
    public bool IsEncrypted => OpenSession.IsTls;

    internal ConnectionSettings? Settings { get; private set; }

    internal MySqlDataReader? ActiveReader { get; set; }

    internal MySqlTransaction? CurrentTransaction { get; set; }

    internal ServerSession OpenSession => _session is not null && _state == ConnectionState.Open
        ? _session
        : throw new InvalidOperationException("The connection is not open.");

    /// <inheritdoc />
    protected override DbProviderFactory DbProviderFactory => MySqlClientFactory.Instance;

    /// <summary>Closes the idle connections of this connection string's pool; busy ones close when returned.</summary>
    public static void ClearPool(MySqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ConnectionPool.Find(connection.ConnectionString)?.Clear();
    }

    /// <summary>Clears every pool in the process.</summary>
    public static void ClearAllPools() => ConnectionPool.ClearAll();

    /// <inheritdoc />
    public override void Open() => SyncIO.Wait(OpenCoreAsync(ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task OpenAsync(CancellationToken cancellationToken) => OpenCoreAsync(ioAsync: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Close() => SyncIO.Wait(CloseCoreAsync(ioAsync: false));

    /// <inheritdoc />
    public override Task CloseAsync() => CloseCoreAsync(ioAsync: true).AsTask();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await CloseCoreAsync(ioAsync: true);
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    public override void ChangeDatabase(string databaseName) =>
        SyncIO.Wait(ChangeDatabaseCoreAsync(databaseName, ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task ChangeDatabaseAsync(string databaseName, CancellationToken cancellationToken = default) =>
        ChangeDatabaseCoreAsync(databaseName, ioAsync: true, cancellationToken).AsTask();

    /// <summary>Begins a transaction.</summary>
    public new MySqlTransaction BeginTransaction() => BeginTransaction(IsolationLevel.Unspecified);

    /// <summary>Begins a transaction with an isolation level.</summary>
    public new MySqlTransaction BeginTransaction(IsolationLevel isolationLevel) =>
        SyncIO.Wait(BeginCoreAsync(isolationLevel, ioAsync: false, CancellationToken.None));

    /// <summary>Begins a transaction asynchronously.</summary>
    public new async ValueTask<MySqlTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default) =>
        await BeginCoreAsync(IsolationLevel.Unspecified, ioAsync: true, cancellationToken);

    /// <summary>Begins a transaction with an isolation level asynchronously.</summary>
    public new async ValueTask<MySqlTransaction> BeginTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken = default) =>
        await BeginCoreAsync(isolationLevel, ioAsync: true, cancellationToken);

    /// <summary>Creates a command on this connection.</summary>
    public new MySqlCommand CreateCommand() => new() { Connection = this };

    internal async ValueTask ExecuteInternalAsync(string sql, bool ioAsync, CancellationToken cancellationToken)
    {
        var session = OpenSession;
        if (ActiveReader is not null)
        {
            throw new InvalidOperationException("This connection already has an open DataReader; close it first.");
        }

        using var execution = new CommandExecution(session, Settings!.DefaultCommandTimeout, cancellationToken);
        try
        {
            await session.ExecuteSimpleAsync(sql, ioAsync, execution.AbortToken);
        }
        catch (Exception ex)
        {
            var translated = execution.Translate(ex);
            await execution.WaitForKillAsync(ioAsync);
            if (ReferenceEquals(ex, translated))
            {
                throw;
            }

            throw translated;
        }

        // A cancellation that raced with success (COMMIT done, kill on its way) must not hit the next statement.
        execution.Complete();
        await execution.WaitForKillAsync(ioAsync);
    }

    /// <inheritdoc />
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => BeginTransaction(isolationLevel);

    /// <inheritdoc />
    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        await BeginCoreAsync(isolationLevel, ioAsync: true, cancellationToken);

    /// <inheritdoc />
    protected override DbCommand CreateDbCommand() => CreateCommand();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OpenCoreAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        if (_state != ConnectionState.Closed)
        {
            throw new InvalidOperationException($"The connection is already {_state}.");
        }

        var settings = Settings ?? throw new InvalidOperationException("The ConnectionString property has not been set.");
        SetState(ConnectionState.Connecting);
        try
        {
            if (settings.Pooling)
            {
                _session = await ConnectionPool.Get(settings).GetSessionAsync(ioAsync, cancellationToken);
            }
            else
            {
                var session = new ServerSession(settings, null, 0);
                await session.ConnectAsync(ioAsync, cancellationToken);
                _session = session;
            }
        }
        catch
        {
            SetState(ConnectionState.Closed);
            throw;
        }

        _database = null;
        SetState(ConnectionState.Open);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CloseCoreAsync(bool ioAsync)
    {
        if (_session is not { } session)
        {
            SetState(ConnectionState.Closed);
            return;
        }

        try
        {
            if (ActiveReader is { } reader)
            {
                if (ioAsync)
                {
                    await reader.DisposeAsync();
                }
                else
                {
                    reader.Dispose();
                }
            }

            if (CurrentTransaction is not null)
            {
                // Returned mid-transaction: the reset on the next checkout rolls it back.
                session.IsDirty = true;
                CurrentTransaction = null;
            }
        }
        finally
        {
            _session = null;
            ActiveReader = null;
            _database = null;
            if (session.Pool is { } pool)
            {
                pool.Return(session);
            }
            else
            {
                session.Dispose();
            }

            SetState(ConnectionState.Closed);
        }
    }

    private async ValueTask ChangeDatabaseCoreAsync(string databaseName, bool ioAsync, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        var session = OpenSession;
        session.IsDirty = true;
        session.DatabaseChanged = true;
        await session.InitDatabaseAsync(databaseName, ioAsync, cancellationToken);
        _database = databaseName;
    }

    private async ValueTask<MySqlTransaction> BeginCoreAsync(IsolationLevel isolationLevel, bool ioAsync, CancellationToken cancellationToken)
    {
        var session = OpenSession;
        if (CurrentTransaction is not null)
        {
            throw new InvalidOperationException("A transaction is already active; MySQL does not nest transactions.");
        }

        var isolation = MySqlTransaction.IsolationLevelSql(isolationLevel);
        session.IsDirty = true;
        if (isolation.Length > 0)
        {
            await ExecuteInternalAsync(isolation, ioAsync, cancellationToken);
        }

        await ExecuteInternalAsync("START TRANSACTION", ioAsync, cancellationToken);
        var transaction = new MySqlTransaction(this, isolationLevel);
        CurrentTransaction = transaction;
        return transaction;
    }

    private void SetState(ConnectionState state)
    {
        var previous = _state;
        _state = state;
        if (previous != state)
        {
            OnStateChange(new StateChangeEventArgs(previous, state));
        }
    }
}
