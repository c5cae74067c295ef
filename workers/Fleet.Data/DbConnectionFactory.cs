using System.Data.Common;

namespace Fleet.Data;

/// <summary>
/// Opens connections to the worker's database from an ADO.NET provider and one connection string. Connections
/// are pooled by the provider, so code opens one per operation and disposes it at once:
/// <c>await using var connection = await db.OpenAsync(cancellationToken);</c>.
/// </summary>
public sealed class DbConnectionFactory
{
    private readonly DbProviderFactory _provider;

    /// <summary>Creates a factory.</summary>
    /// <param name="provider">The ADO.NET provider (Fleet.MySql's factory in the workers).</param>
    /// <param name="connectionString">The connection string of the worker's schema.</param>
    public DbConnectionFactory(DbProviderFactory provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _provider = provider;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string connections are opened with.</summary>
    public string ConnectionString { get; }

    /// <summary>Opens a pooled connection.</summary>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>An open connection the caller disposes.</returns>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _provider.CreateConnection()
            ?? throw new InvalidOperationException($"{_provider.GetType().Name} returned no connection.");
        try
        {
            connection.ConnectionString = ConnectionString;
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
