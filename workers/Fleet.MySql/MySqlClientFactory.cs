using System.Data.Common;

namespace Fleet.MySql;

/// <summary>The ADO.NET provider factory for Fleet.MySql.</summary>
public sealed class MySqlClientFactory : DbProviderFactory
{
    /// <summary>The single instance.</summary>
    public static readonly MySqlClientFactory Instance = new();

    private MySqlClientFactory()
    {
    }

    /// <inheritdoc />
    public override bool CanCreateBatch => false;

    /// <inheritdoc />
    public override DbCommand CreateCommand() => new MySqlCommand();

    /// <inheritdoc />
    public override DbConnection CreateConnection() => new MySqlConnection();

    /// <inheritdoc />
    public override DbParameter CreateParameter() => new MySqlParameter();

    /// <inheritdoc />
    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new();
}
