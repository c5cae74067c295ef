using System.Data.Common;
using Dapper;

namespace Fleet.Api.Pipeline;

/// <summary>Small SQL helpers the handlers share.</summary>
internal static class Sql
{
    /// <summary>
    /// Runs an INSERT and returns the AUTO_INCREMENT id it generated. Two statements on the same session rather
    /// than one multi-statement text, which needs a client flag not every provider turns on.
    /// </summary>
    public static async Task<long> InsertAsync(DbConnection connection, DbTransaction transaction, string sql, object args, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT LAST_INSERT_ID()", transaction: transaction, cancellationToken: cancellationToken));
    }
}
