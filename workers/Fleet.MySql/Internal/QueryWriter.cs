using System.Globalization;

namespace Fleet.MySql.Internal;

/// <summary>
/// Writes a COM_QUERY payload: the SQL text with every <c>@name</c> / <c>?</c> placeholder replaced by an escaped
/// literal. Client-side binding keeps one round trip per query and leaves no server statement cache to manage,
/// which is why this client has no server-side prepared statements. The scanner skips quoted strings, quoted
/// identifiers and comments so a placeholder-like text inside them is left alone.
/// </summary>
internal static class QueryWriter
{
    /// <summary>Writes <paramref name="sql"/> with parameters bound; returns whether the statement dirties the session.</summary>
    public static bool Write(
        PayloadWriter writer,
        string sql,
        MySqlParameterCollection? parameters,
        bool noBackslashEscapes,
        bool allowUserVariables)
    {
        var dirty = false;
        var segmentStart = 0;
        var positional = 0;
        var atStatementStart = true;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            switch (c)
            {
                case '\'' or '"' or '`':
                    i = SkipQuoted(sql, i, noBackslashEscapes);
                    atStatementStart = false;
                    continue;
                case '-' when i + 2 < sql.Length && sql[i + 1] == '-' && char.IsWhiteSpace(sql[i + 2]):
                case '#':
                    i = SkipToLineEnd(sql, i);
                    continue;
                case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                    {
                        var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                        i = end < 0 ? sql.Length : end + 2;
                        continue;
                    }

                case ';':
                    atStatementStart = true;
                    i++;
                    continue;
                case '@':
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == '@')
                        {
                            // @@system_variable: never a parameter.
                            i = SkipIdentifier(sql, i + 2);
                            atStatementStart = false;
                            continue;
                        }

                        var nameEnd = SkipIdentifier(sql, i + 1);
                        var name = sql.AsSpan(i + 1, nameEnd - i - 1);
                        var index = name.Length > 0 && parameters is not null ? parameters.IndexOfNormalized(name) : -1;
                        if (index >= 0)
                        {
                            writer.WriteUtf8(sql.AsSpan(segmentStart, i - segmentStart));
                            WriteValue(writer, parameters![index].Value, noBackslashEscapes);
                            segmentStart = nameEnd;
                        }
                        else if (!allowUserVariables)
                        {
                            throw new MySqlException(
                                MySqlErrorCodes.ParameterNotDefined,
                                null,
                                $"Parameter '@{name}' must be defined. To use it as a user variable, set AllowUserVariables=true.");
                        }
                        else
                        {
                            // A user variable lives in the session: the next user of a pooled connection must not see it.
                            dirty = true;
                        }

                        i = Math.Max(nameEnd, i + 1);
                        atStatementStart = false;
                        continue;
                    }

                case '?' when parameters is { Count: > 0 }:
                    {
                        // '?' binds the unnamed parameters in order; with only named parameters it stays literal text.
                        var index = NthUnnamed(parameters, positional);
                        if (index < 0)
                        {
                            if (positional > 0)
                            {
                                throw new MySqlException(
                                    MySqlErrorCodes.ParameterNotDefined, null, $"The SQL has more '?' placeholders than the {positional} unnamed parameters given.");
                            }

                            i++;
                            atStatementStart = false;
                            continue;
                        }

                        positional++;
                        writer.WriteUtf8(sql.AsSpan(segmentStart, i - segmentStart));
                        WriteValue(writer, parameters[index].Value, noBackslashEscapes);
                        i++;
                        segmentStart = i;
                        atStatementStart = false;
                        continue;
                    }
            }

            if (IsIdentifierChar(c))
            {
                var wordEnd = SkipIdentifier(sql, i);
                var word = sql.AsSpan(i, wordEnd - i);
                if ((atStatementStart && StartsSessionState(word, sql, wordEnd)) || word.Equals("GET_LOCK", StringComparison.OrdinalIgnoreCase))
                {
                    dirty = true;
                }

                atStatementStart = false;
                i = wordEnd;
                continue;
            }

            if (!char.IsWhiteSpace(c))
            {
                atStatementStart = false;
            }

            i++;
        }

        writer.WriteUtf8(sql.AsSpan(segmentStart));
        return dirty;
    }

    /// <summary>Writes one value as a SQL literal.</summary>
    public static void WriteValue(PayloadWriter writer, object? value, bool noBackslashEscapes)
    {
        switch (value)
        {
            case null or DBNull:
                writer.WriteAscii("NULL");
                break;
            case string s:
                WriteString(writer, s, noBackslashEscapes);
                break;
            case char ch:
                WriteString(writer, ch.ToString(), noBackslashEscapes);
                break;
            case bool b:
                writer.WriteAscii(b ? "1" : "0");
                break;
            case byte[] bytes:
                WriteHex(writer, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                WriteHex(writer, memory.Span);
                break;
            case Memory<byte> memory:
                WriteHex(writer, memory.Span);
                break;
            case ArraySegment<byte> segment:
                WriteHex(writer, segment);
                break;
            case float f:
                WriteFormatted(writer, float.IsFinite(f) ? f : throw NotFinite(f), "R");
                break;
            case double d:
                WriteFormatted(writer, double.IsFinite(d) ? d : throw NotFinite(d), "R");
                break;
            case decimal m:
                WriteFormatted(writer, m, null);
                break;
            case DateTime dateTime:
                WriteDateTime(writer, dateTime);
                break;
            case DateTimeOffset offset:
                WriteDateTime(writer, offset.UtcDateTime);
                break;
            case DateOnly date:
                WriteQuotedAscii(writer, date.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture));
                break;
            case TimeOnly time:
                WriteTime(writer, time.ToTimeSpan());
                break;
            case TimeSpan span:
                WriteTime(writer, span);
                break;
            case Guid guid:
                WriteQuotedAscii(writer, guid.ToString("D"));
                break;
            case Enum e:
                WriteFormatted(writer, Convert.ToInt64(e, CultureInfo.InvariantCulture), null);
                break;
            case IUtf8SpanFormattable number when value is sbyte or byte or short or ushort or int or uint or long or ulong:
                WriteFormatted(writer, number, null);
                break;
            default:
                throw new NotSupportedException($"Parameter values of type {value.GetType().FullName} are not supported.");
        }
    }

    private static ArgumentException NotFinite(double value) =>
        new($"{value.ToString(CultureInfo.InvariantCulture)} cannot be stored in MySQL: only finite numbers can.", nameof(value));

    private static void WriteString(PayloadWriter writer, string value, bool noBackslashEscapes)
    {
        writer.WriteByte((byte)'\'');
        var span = value.AsSpan();
        var runStart = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var escape = noBackslashEscapes
                ? span[i] == '\'' ? "''" : null
                : span[i] switch
                {
                    '\0' => "\\0",
                    '\'' => "\\'",
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\x1a' => "\\Z",
                    _ => null,
                };
            if (escape is null)
            {
                continue;
            }

            writer.WriteUtf8(span[runStart..i]);
            writer.WriteAscii(escape);
            runStart = i + 1;
        }

        writer.WriteUtf8(span[runStart..]);
        writer.WriteByte((byte)'\'');
    }

    private static void WriteHex(PayloadWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.WriteAscii("X'");
        var target = writer.GetSpan(bytes.Length * 2);
        for (var i = 0; i < bytes.Length; i++)
        {
            target[2 * i] = (byte)"0123456789ABCDEF"[bytes[i] >> 4];
            target[(2 * i) + 1] = (byte)"0123456789ABCDEF"[bytes[i] & 0xF];
        }

        writer.Advance(bytes.Length * 2);
        writer.WriteByte((byte)'\'');
    }

    private static void WriteFormatted<T>(PayloadWriter writer, T value, string? format)
        where T : IUtf8SpanFormattable
    {
        var target = writer.GetSpan(64);
        if (!value.TryFormat(target, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A number did not fit in 64 bytes.");
        }

        writer.Advance(written);
    }

    private static void WriteDateTime(PayloadWriter writer, DateTime value)
    {
        var format = value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy'-'MM'-'dd' 'HH':'mm':'ss" : "yyyy'-'MM'-'dd' 'HH':'mm':'ss'.'ffffff";
        WriteQuotedAscii(writer, value.ToString(format, CultureInfo.InvariantCulture));
    }

    private static void WriteTime(PayloadWriter writer, TimeSpan value)
    {
        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        var magnitude = value.Duration();
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{sign}{(long)magnitude.TotalHours}:{magnitude.Minutes:00}:{magnitude.Seconds:00}");
        var fraction = magnitude.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + (fraction / 10).ToString("000000", CultureInfo.InvariantCulture);
        }

        WriteQuotedAscii(writer, text);
    }

    private static void WriteQuotedAscii(PayloadWriter writer, string text)
    {
        writer.WriteByte((byte)'\'');
        writer.WriteAscii(text);
        writer.WriteByte((byte)'\'');
    }

    /// <summary>Statements whose effect outlives them in the session (so a pooled session must be reset).</summary>
    private static bool StartsSessionState(ReadOnlySpan<char> word, string sql, int wordEnd)
    {
        foreach (var keyword in (ReadOnlySpan<string>)["SET", "USE", "BEGIN", "START", "LOCK", "UNLOCK", "PREPARE", "EXECUTE",
            "DEALLOCATE", "XA", "SAVEPOINT", "HANDLER", "CALL", "DECLARE"])
        {
            if (word.Equals(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (word.Equals("CREATE", StringComparison.OrdinalIgnoreCase) || word.Equals("DROP", StringComparison.OrdinalIgnoreCase))
        {
            var next = wordEnd;
            while (next < sql.Length && char.IsWhiteSpace(sql[next]))
            {
                next++;
            }

            return sql.AsSpan(next).StartsWith("TEMPORARY", StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    private static int NthUnnamed(MySqlParameterCollection parameters, int n)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].NormalizedName.Length == 0 && n-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c > 0x7F;

    private static int SkipIdentifier(string sql, int i)
    {
        while (i < sql.Length && (IsIdentifierChar(sql[i]) || sql[i] == '.'))
        {
            i++;
        }

        return i;
    }

    private static int SkipToLineEnd(string sql, int i)
    {
        var end = sql.IndexOf('\n', i);
        return end < 0 ? sql.Length : end + 1;
    }

    /// <summary>Skips a quoted string or identifier starting at <paramref name="start"/>; doubled quotes stay inside.</summary>
    private static int SkipQuoted(string sql, int start, bool noBackslashEscapes)
    {
        var quote = sql[start];
        var i = start + 1;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\\' && quote != '`' && !noBackslashEscapes)
            {
                i += 2;
                continue;
            }

            if (c == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }
}
