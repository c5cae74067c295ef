namespace Fleet.MySql.Internal;

/// <summary>The CLR type a column's values are returned as.</summary>
internal enum ValueKind
{
    String,
    Bytes,
    Boolean,
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    DateTime,
    TimeSpan,
    Guid,
    Bit,
    Null,
}
