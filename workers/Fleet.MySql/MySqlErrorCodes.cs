namespace Fleet.MySql;

/// <summary>
/// Error numbers that callers commonly test for in <see cref="MySqlException.Number"/>. Positive numbers are the
/// server's (ER_*) or the MySQL client library's (CR_*); negative numbers are conditions only this client detects.
/// </summary>
public static class MySqlErrorCodes
{
    /// <summary>No free connection became available in the pool within the connection timeout.</summary>
    public const int ConnectionPoolTimeout = -1;

    /// <summary>The command ran longer than its CommandTimeout (the SqlClient convention of -2).</summary>
    public const int CommandTimeoutExpired = -2;

    /// <summary>The SQL text references <c>@name</c> but no such parameter exists and user variables are not allowed.</summary>
    public const int ParameterNotDefined = -3;

    /// <summary>ER_DUP_ENTRY: a unique key would be violated.</summary>
    public const int DuplicateKeyEntry = 1062;

    /// <summary>ER_LOCK_DEADLOCK.</summary>
    public const int LockDeadlock = 1213;

    /// <summary>ER_QUERY_INTERRUPTED: the statement was stopped by KILL QUERY.</summary>
    public const int QueryInterrupted = 1317;

    /// <summary>CR_CONNECTION_ERROR: the server could not be reached or the handshake failed.</summary>
    public const int UnableToConnectToHost = 2002;

    /// <summary>CR_SERVER_LOST: the connection dropped while a command was running.</summary>
    public const int ServerLost = 2013;

    /// <summary>CR_SSL_CONNECTION_ERROR: TLS was required but could not be established.</summary>
    public const int SslConnectionError = 2026;

    /// <summary>CR_MALFORMED_PACKET: the server sent something this client cannot parse.</summary>
    public const int MalformedPacket = 2027;

    /// <summary>CR_AUTH_PLUGIN_ERR: authentication needs TLS or a public key the settings do not allow.</summary>
    public const int AuthenticationPluginError = 2061;
}
