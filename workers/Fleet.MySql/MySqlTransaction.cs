using System.Data;
using System.Data.Common;

using Fleet.MySql.Internal;

namespace Fleet.MySql;

/// <summary>A transaction begun with START TRANSACTION; disposing it without a commit rolls it back.</summary>
public sealed class MySqlTransaction : DbTransaction
{
    private MySqlConnection? _connection;

    internal MySqlTransaction(MySqlConnection connection, IsolationLevel isolationLevel)
    {
        _connection = connection;
        IsolationLevel = isolationLevel;
    }

    /// <summary>The connection, or null once the transaction has completed.</summary>
    public new MySqlConnection? Connection => _connection;

    /// <inheritdoc />
    public override IsolationLevel IsolationLevel { get; }

    /// <inheritdoc />
    protected override DbConnection? DbConnection => _connection;

    /// <inheritdoc />
    public override void Commit() => SyncIO.Wait(CompleteAsync("COMMIT", ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task CommitAsync(CancellationToken cancellationToken = default) => CompleteAsync("COMMIT", ioAsync: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Rollback() => SyncIO.Wait(CompleteAsync("ROLLBACK", ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task RollbackAsync(CancellationToken cancellationToken = default) => CompleteAsync("ROLLBACK", ioAsync: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await RollbackIfOpenAsync(ioAsync: true);
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            SyncIO.Wait(RollbackIfOpenAsync(ioAsync: false));
        }

        base.Dispose(disposing);
    }

    internal static string IsolationLevelSql(IsolationLevel isolationLevel) => isolationLevel switch
    {
        IsolationLevel.ReadUncommitted => "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
        IsolationLevel.ReadCommitted => "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        IsolationLevel.RepeatableRead => "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        IsolationLevel.Serializable => "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        IsolationLevel.Unspecified => string.Empty,
        _ => throw new NotSupportedException($"Isolation level {isolationLevel} is not supported by MySQL."),
    };

    private async ValueTask RollbackIfOpenAsync(bool ioAsync)
    {
        if (_connection is { } connection && connection.State == ConnectionState.Open && connection.OpenSession is { IsBroken: false })
        {
            try
            {
                await CompleteAsync("ROLLBACK", ioAsync, CancellationToken.None);
            }
            catch (MySqlException)
            {
                // Disposal must not throw; the pool resets a session left in a transaction anyway.
            }
        }

        _connection = null;
    }

    private async ValueTask CompleteAsync(string sql, bool ioAsync, CancellationToken cancellationToken)
    {
        var connection = _connection ?? throw new InvalidOperationException("The transaction has already been committed or rolled back.");
        await connection.ExecuteInternalAsync(sql, ioAsync, cancellationToken);
        _connection = null;
        connection.CurrentTransaction = null;
    }
}
