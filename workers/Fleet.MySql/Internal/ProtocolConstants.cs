namespace Fleet.MySql.Internal;

/// <summary>Capability flags from the MySQL Client/Server Protocol documentation ("Capabilities Flags").</summary>
[Flags]
internal enum CapabilityFlags : uint
{
    None = 0,
    LongPassword = 1,
    FoundRows = 2,
    LongFlag = 4,
    ConnectWithDb = 8,
    Protocol41 = 1 << 9,
    Ssl = 1 << 11,
    Transactions = 1 << 13,
    SecureConnection = 1 << 15,
    MultiStatements = 1 << 16,
    MultiResults = 1 << 17,
    PluginAuth = 1 << 19,
    ConnectAttributes = 1 << 20,
    PluginAuthLengthEncodedClientData = 1 << 21,
    DeprecateEof = 1 << 24,
}

/// <summary>Server status flags carried by OK and EOF packets.</summary>
[Flags]
internal enum ServerStatus : ushort
{
    None = 0,
    InTransaction = 1,
    Autocommit = 2,
    MoreResultsExist = 8,
    NoBackslashEscapes = 0x200,
}

/// <summary>Column types of the text protocol's column definitions.</summary>
internal enum ColumnType : byte
{
    Decimal = 0,
    Tiny = 1,
    Short = 2,
    Long = 3,
    Float = 4,
    Double = 5,
    Null = 6,
    Timestamp = 7,
    LongLong = 8,
    Int24 = 9,
    Date = 10,
    Time = 11,
    DateTime = 12,
    Year = 13,
    NewDate = 14,
    VarChar = 15,
    Bit = 16,
    Json = 245,
    NewDecimal = 246,
    Enum = 247,
    Set = 248,
    TinyBlob = 249,
    MediumBlob = 250,
    LongBlob = 251,
    Blob = 252,
    VarString = 253,
    String = 254,
    Geometry = 255,
}

/// <summary>Column definition flags.</summary>
[Flags]
internal enum ColumnFlags : ushort
{
    None = 0,
    NotNull = 1,
    Unsigned = 32,
    Binary = 128,
}

/// <summary>Command bytes the client sends; the text protocol needs only these.</summary>
internal static class CommandByte
{
    public const byte Quit = 0x01;
    public const byte InitDb = 0x02;
    public const byte Query = 0x03;
    public const byte Ping = 0x0E;
    public const byte ResetConnection = 0x1F;
}

/// <summary>Protocol numbers shared by the parser and the session.</summary>
internal static class ProtocolNumbers
{
    /// <summary>A payload of exactly this length means "more of the same payload follows".</summary>
    public const int MaxPacketPayload = 0xFFFFFF;

    /// <summary>The binary pseudo character set: such columns are byte[] rather than string.</summary>
    public const int BinaryCharacterSet = 63;

    /// <summary>utf8mb4_general_ci, the collation we ask for in the handshake (ids above 255 do not fit there).</summary>
    public const byte Utf8Mb4GeneralCi = 45;

    /// <summary>ER_QUERY_INTERRUPTED: what KILL QUERY makes the victim statement return.</summary>
    public const int QueryInterrupted = 1317;
}
