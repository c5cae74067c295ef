using System.Data.Common;

namespace Fleet.MySql;

/// <summary>An error returned by the server (with its error number and SQLSTATE) or detected by the client.</summary>
public sealed class MySqlException : DbException
{
    /// <summary>Creates an exception with no error number.</summary>
    public MySqlException()
    {
    }

    /// <summary>Creates an exception with no error number.</summary>
    public MySqlException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with no error number wrapping <paramref name="innerException"/>.</summary>
    public MySqlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal MySqlException(int number, string? sqlState, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Number = number;
        SqlState = sqlState;
        HResult = number;
    }

    /// <summary>The server error number (e.g. 1062 for a duplicate key) or one of <see cref="MySqlErrorCodes"/>.</summary>
    public int Number { get; }

    /// <summary>The same as <see cref="Number"/>, for code written against DbException.</summary>
    public override int ErrorCode => Number;

    /// <summary>The five-character SQLSTATE the server sent, or null for client-side errors.</summary>
    public override string? SqlState { get; }

    /// <summary>True for errors that a retry may cure: deadlocks, lock wait timeouts, lost connections.</summary>
    public override bool IsTransient => Number is MySqlErrorCodes.LockDeadlock or 1205 or MySqlErrorCodes.ServerLost
        or MySqlErrorCodes.UnableToConnectToHost or MySqlErrorCodes.ConnectionPoolTimeout or 1040;
}
