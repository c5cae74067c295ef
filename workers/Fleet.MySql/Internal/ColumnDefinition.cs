namespace Fleet.MySql.Internal;

/// <summary>One column of a result set (Protocol::ColumnDefinition41), with the CLR type its values map to.</summary>
internal sealed class ColumnDefinition
{
    public required string Name { get; init; }

    public required ColumnType Type { get; init; }

    public required ColumnFlags Flags { get; init; }

    public required int CharacterSet { get; init; }

    public required uint Length { get; init; }

    public required byte Decimals { get; init; }

    public required ValueKind Kind { get; init; }

    public bool IsUnsigned => (Flags & ColumnFlags.Unsigned) != 0;

    public static ColumnDefinition Parse(ReadOnlySpan<byte> payload, bool treatTinyAsBoolean)
    {
        var reader = new PayloadReader(payload);
        reader.ReadLengthEncodedBytes(); // catalog, always "def"
        reader.ReadLengthEncodedBytes(); // schema
        reader.ReadLengthEncodedBytes(); // table alias
        reader.ReadLengthEncodedBytes(); // original table
        var name = reader.ReadLengthEncodedString();
        reader.ReadLengthEncodedBytes(); // original name
        reader.ReadLengthEncodedInteger(); // length of the fixed fields, always 0x0c
        var characterSet = reader.ReadUInt16();
        var length = reader.ReadUInt32();
        var type = (ColumnType)reader.ReadByte();
        var flags = (ColumnFlags)reader.ReadUInt16();
        var decimals = reader.ReadByte();
        return new ColumnDefinition
        {
            Name = name,
            Type = type,
            Flags = flags,
            CharacterSet = characterSet,
            Length = length,
            Decimals = decimals,
            Kind = KindOf(type, flags, characterSet, length, treatTinyAsBoolean),
        };
    }

    /// <summary>
    /// Maps a column to a CLR type the way MySql.Data 8.0.16 does (the differential tests hold us to it):
    /// TINYINT(1) is bool, CHAR(36) is Guid, BIT is ulong, YEAR is int, binary-collated text is byte[].
    /// </summary>
    public static ValueKind KindOf(ColumnType type, ColumnFlags flags, int characterSet, uint length, bool treatTinyAsBoolean)
    {
        var unsigned = (flags & ColumnFlags.Unsigned) != 0;
        return type switch
        {
            ColumnType.Tiny when length == 1 && treatTinyAsBoolean => ValueKind.Boolean,
            ColumnType.Tiny => unsigned ? ValueKind.Byte : ValueKind.SByte,
            ColumnType.Short => unsigned ? ValueKind.UInt16 : ValueKind.Int16,
            ColumnType.Int24 or ColumnType.Long => unsigned ? ValueKind.UInt32 : ValueKind.Int32,
            ColumnType.LongLong => unsigned ? ValueKind.UInt64 : ValueKind.Int64,
            ColumnType.Year => ValueKind.Int32,
            ColumnType.Float => ValueKind.Single,
            ColumnType.Double => ValueKind.Double,
            ColumnType.Decimal or ColumnType.NewDecimal => ValueKind.Decimal,
            ColumnType.Date or ColumnType.NewDate or ColumnType.DateTime or ColumnType.Timestamp => ValueKind.DateTime,
            ColumnType.Time => ValueKind.TimeSpan,
            ColumnType.Bit => ValueKind.Bit,
            ColumnType.Null => ValueKind.Null,
            ColumnType.Geometry => ValueKind.Bytes,
            ColumnType.String when characterSet != ProtocolNumbers.BinaryCharacterSet
                && length / MaxBytesPerChar(characterSet) == 36 => ValueKind.Guid,
            _ => characterSet == ProtocolNumbers.BinaryCharacterSet ? ValueKind.Bytes : ValueKind.String,
        };
    }

    /// <summary>Bytes per character of a collation id, to turn a column's byte length into CHAR(n)'s n.</summary>
    public static uint MaxBytesPerChar(int characterSet) => characterSet switch
    {
        ProtocolNumbers.BinaryCharacterSet => 1,
        5 or 8 or 11 or 15 or 31 or 47 or 48 or 49 or 65 or 94 => 1, // latin1 and ascii collations
        33 or 83 or (>= 192 and <= 215) or 223 => 3, // utf8mb3
        _ => 4, // utf8mb4, the only character set this client asks for
    };

    public string DataTypeName => Type switch
    {
        ColumnType.Tiny => "TINYINT",
        ColumnType.Short => "SMALLINT",
        ColumnType.Int24 => "MEDIUMINT",
        ColumnType.Long => "INT",
        ColumnType.LongLong => "BIGINT",
        ColumnType.Year => "YEAR",
        ColumnType.Float => "FLOAT",
        ColumnType.Double => "DOUBLE",
        ColumnType.Decimal or ColumnType.NewDecimal => "DECIMAL",
        ColumnType.Date or ColumnType.NewDate => "DATE",
        ColumnType.DateTime => "DATETIME",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.Time => "TIME",
        ColumnType.Bit => "BIT",
        ColumnType.Json => "JSON",
        ColumnType.Null => "NULL",
        ColumnType.Geometry => "GEOMETRY",
        ColumnType.TinyBlob or ColumnType.MediumBlob or ColumnType.LongBlob or ColumnType.Blob =>
            CharacterSet == ProtocolNumbers.BinaryCharacterSet ? "BLOB" : "TEXT",
        ColumnType.String => CharacterSet == ProtocolNumbers.BinaryCharacterSet ? "BINARY" : "CHAR",
        _ => CharacterSet == ProtocolNumbers.BinaryCharacterSet ? "VARBINARY" : "VARCHAR",
    };
}
