using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Fleet.MySql;

/// <summary>
/// A command parameter. Its value is bound on the client into the SQL text as an escaped literal (see
/// <see cref="MySqlCommand"/>), so only input parameters exist.
/// </summary>
public sealed class MySqlParameter : DbParameter
{
    private string _parameterName = string.Empty;
    private DbType? _dbType;

    /// <summary>Creates an unnamed parameter (bound to a <c>?</c> placeholder by position).</summary>
    public MySqlParameter()
    {
    }

    /// <summary>Creates a parameter for <c>@name</c> (the prefix is optional) with a value.</summary>
    public MySqlParameter(string? parameterName, object? value)
    {
        ParameterName = parameterName;
        Value = value;
    }

    /// <summary>The type, inferred from <see cref="Value"/> unless set; binding itself follows the value's CLR type.</summary>
    public override DbType DbType
    {
        get => _dbType ?? InferDbType(Value);
        set => _dbType = value;
    }

    /// <summary>Only <see cref="ParameterDirection.Input"/> is supported by client-side binding.</summary>
    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set
        {
            if (value != ParameterDirection.Input)
            {
                throw new NotSupportedException("Fleet.MySql binds parameters into the SQL text: only input parameters exist.");
            }
        }
    }

    /// <inheritdoc />
    public override bool IsNullable { get; set; }

    /// <summary>The name, with or without the <c>@</c> prefix.</summary>
    [AllowNull]
    public override string ParameterName
    {
        get => _parameterName;
        set
        {
            _parameterName = value ?? string.Empty;
            NormalizedName = _parameterName.StartsWith('@') || _parameterName.StartsWith('?') ? _parameterName[1..] : _parameterName;
        }
    }

    /// <inheritdoc />
    public override int Size { get; set; }

    /// <inheritdoc />
    [AllowNull]
    public override string SourceColumn { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool SourceColumnNullMapping { get; set; }

    /// <summary>The value; null and DBNull both bind as SQL NULL.</summary>
    public override object? Value { get; set; }

    internal string NormalizedName { get; private set; } = string.Empty;

    /// <inheritdoc />
    public override void ResetDbType() => _dbType = null;

    private static DbType InferDbType(object? value) => value switch
    {
        bool => DbType.Boolean,
        sbyte => DbType.SByte,
        byte => DbType.Byte,
        short => DbType.Int16,
        ushort => DbType.UInt16,
        int => DbType.Int32,
        uint => DbType.UInt32,
        long => DbType.Int64,
        ulong => DbType.UInt64,
        float => DbType.Single,
        double => DbType.Double,
        decimal => DbType.Decimal,
        DateTime => DbType.DateTime,
        DateTimeOffset => DbType.DateTimeOffset,
        TimeSpan => DbType.Time,
        Guid => DbType.Guid,
        byte[] => DbType.Binary,
        _ => DbType.String,
    };
}
