using System.Data.Common;
using Fleet.MySql;

namespace Fleet.Api.Pipeline;

/// <summary>Classifies database errors the handlers turn into answers.</summary>
internal static class DbErrors
{
    // Number, not SQLSTATE: 23000 also covers foreign-key and NOT NULL violations.
    public static bool IsDuplicateKey(DbException exception) =>
        exception is MySqlException { Number: MySqlErrorCodes.DuplicateKeyEntry };
}
