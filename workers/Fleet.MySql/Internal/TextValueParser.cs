using System.Globalization;
using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>Converts text-protocol field bytes (ASCII digits, dates, raw bytes) into CLR values.</summary>
internal static class TextValueParser
{
    public static object Parse(ColumnDefinition column, ReadOnlySpan<byte> data) => column.Kind switch
    {
        ValueKind.String => Encoding.UTF8.GetString(data),
        ValueKind.Bytes => data.ToArray(),
        ValueKind.Boolean => ParseInt64(data) != 0,
        ValueKind.SByte => checked((sbyte)ParseInt64(data)),
        ValueKind.Byte => checked((byte)ParseUInt64(data)),
        ValueKind.Int16 => checked((short)ParseInt64(data)),
        ValueKind.UInt16 => checked((ushort)ParseUInt64(data)),
        ValueKind.Int32 => checked((int)ParseInt64(data)),
        ValueKind.UInt32 => checked((uint)ParseUInt64(data)),
        ValueKind.Int64 => ParseInt64(data),
        ValueKind.UInt64 => ParseUInt64(data),
        ValueKind.Single => float.Parse(data, NumberStyles.Float, CultureInfo.InvariantCulture),
        ValueKind.Double => ParseDouble(data),
        ValueKind.Decimal => ParseDecimal(data),
        ValueKind.DateTime => ParseDateTime(data),
        ValueKind.TimeSpan => ParseTimeSpan(data),
        ValueKind.Guid => ParseGuid(data),
        ValueKind.Bit => ParseBit(data),
        _ => DBNull.Value,
    };

    public static Type ClrType(ValueKind kind) => kind switch
    {
        ValueKind.String => typeof(string),
        ValueKind.Bytes => typeof(byte[]),
        ValueKind.Boolean => typeof(bool),
        ValueKind.SByte => typeof(sbyte),
        ValueKind.Byte => typeof(byte),
        ValueKind.Int16 => typeof(short),
        ValueKind.UInt16 => typeof(ushort),
        ValueKind.Int32 => typeof(int),
        ValueKind.UInt32 => typeof(uint),
        ValueKind.Int64 => typeof(long),
        ValueKind.UInt64 or ValueKind.Bit => typeof(ulong),
        ValueKind.Single => typeof(float),
        ValueKind.Double => typeof(double),
        ValueKind.Decimal => typeof(decimal),
        ValueKind.DateTime => typeof(DateTime),
        ValueKind.TimeSpan => typeof(TimeSpan),
        ValueKind.Guid => typeof(Guid),
        _ => typeof(string), // a NULL-typed column (SELECT NULL): MySql.Data reports string too
    };

    public static long ParseInt64(ReadOnlySpan<byte> data) => long.Parse(data, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static ulong ParseUInt64(ReadOnlySpan<byte> data) => ulong.Parse(data, NumberStyles.None, CultureInfo.InvariantCulture);

    public static double ParseDouble(ReadOnlySpan<byte> data) => double.Parse(data, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static decimal ParseDecimal(ReadOnlySpan<byte> data) =>
        decimal.Parse(data, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    /// <summary>BIT(n) arrives as n/8 raw bytes, most significant first.</summary>
    public static ulong ParseBit(ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        foreach (var b in data)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    public static Guid ParseGuid(ReadOnlySpan<byte> data)
    {
        Span<char> chars = stackalloc char[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            chars[i] = (char)data[i];
        }

        return Guid.Parse(chars);
    }

    /// <summary>"YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss[.ffffff]".</summary>
    public static DateTime ParseDateTime(ReadOnlySpan<byte> data)
    {
        if (data.Length < 10 || data[4] != '-' || data[7] != '-')
        {
            throw new FormatException($"'{Encoding.ASCII.GetString(data)}' is not a MySQL date.");
        }

        var year = Digits(data, 0, 4);
        var month = Digits(data, 5, 2);
        var day = Digits(data, 8, 2);
        if (year == 0 || month == 0 || day == 0)
        {
            // MySql.Data refuses zero dates too (without AllowZeroDateTime): DateTime has no such value.
            throw new InvalidCastException($"Unable to convert MySQL date/time value '{Encoding.ASCII.GetString(data)}' to System.DateTime.");
        }

        if (data.Length == 10)
        {
            return new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        }

        var value = new DateTime(year, month, day, Digits(data, 11, 2), Digits(data, 14, 2), Digits(data, 17, 2), DateTimeKind.Unspecified);
        return data.Length > 20 ? value.AddTicks(FractionTicks(data[20..])) : value;
    }

    /// <summary>"[-]hhh:mm:ss[.ffffff]"; hours may exceed 24 (TIME spans ±838 hours).</summary>
    public static TimeSpan ParseTimeSpan(ReadOnlySpan<byte> data)
    {
        var negative = data.Length > 0 && data[0] == '-';
        if (negative)
        {
            data = data[1..];
        }

        var colon = data.IndexOf((byte)':');
        if (colon < 1 || data.Length < colon + 6)
        {
            throw new FormatException($"'{Encoding.ASCII.GetString(data)}' is not a MySQL time.");
        }

        var hours = Digits(data, 0, colon);
        var minutes = Digits(data, colon + 1, 2);
        var seconds = Digits(data, colon + 4, 2);
        var ticks = (((hours * 60L) + minutes) * 60L + seconds) * TimeSpan.TicksPerSecond;
        if (data.Length > colon + 7)
        {
            ticks += FractionTicks(data[(colon + 7)..]);
        }

        return new TimeSpan(negative ? -ticks : ticks);
    }

    private static long FractionTicks(ReadOnlySpan<byte> digits)
    {
        long ticks = 0;
        var scale = TimeSpan.TicksPerSecond / 10;
        for (var i = 0; i < digits.Length && scale > 0; i++)
        {
            ticks += (digits[i] - '0') * scale;
            scale /= 10;
        }

        return ticks;
    }

    private static int Digits(ReadOnlySpan<byte> data, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = data[i] - '0';
            if (digit is < 0 or > 9)
            {
                throw new FormatException($"Unexpected character '{(char)data[i]}' in a date/time value.");
            }

            value = (value * 10) + digit;
        }

        return value;
    }
}
