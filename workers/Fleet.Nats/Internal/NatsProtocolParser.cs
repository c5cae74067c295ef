using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Fleet.Nats.Internal;

/// <summary>
/// Parses server operations from a byte sequence that may end anywhere, even inside a control line or a payload:
/// <see cref="TryRead"/> consumes nothing until a whole operation (control line plus payload) is in the buffer.
/// </summary>
internal static class NatsProtocolParser
{
    /// <summary>
    /// The longest control line accepted. nats-server limits client lines to 4 KB, but its INFO grows with
    /// connect_urls in a big cluster, so the cap is generous; it exists so a peer sending garbage without a line
    /// feed cannot make the buffer grow without bound.
    /// </summary>
    public const int MaxControlLineLength = 64 * 1024;

    /// <summary>
    /// Reads one operation and advances <paramref name="buffer"/> past it, or returns false if it is incomplete.
    /// <paramref name="subjects"/>, when given, lets repeated MSG subjects share one string.
    /// </summary>
    /// <exception cref="NatsProtocolException">The bytes are not NATS protocol.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ServerFrame frame, SubjectCache? subjects = null)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSequence, (byte)'\n'))
        {
            if (buffer.Length > MaxControlLineLength)
            {
                throw new NatsProtocolException($"The server sent more than {MaxControlLineLength} bytes without a line feed.");
            }

            return false;
        }

        if (lineSequence.Length > MaxControlLineLength)
        {
            throw new NatsProtocolException($"The server sent a control line longer than {MaxControlLineLength} bytes.");
        }

        var length = (int)lineSequence.Length;
        byte[]? rented = null;
        var line = lineSequence.IsSingleSegment
            ? lineSequence.FirstSpan
            : CopyLine(lineSequence, length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length));
        try
        {
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (!TryParseLine(line, ref reader, subjects, out frame))
            {
                return false;
            }

            buffer = buffer.Slice(reader.Position);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<byte> CopyLine(ReadOnlySequence<byte> sequence, Span<byte> destination)
    {
        sequence.CopyTo(destination);
        return destination;
    }

    private static bool TryParseLine(scoped ReadOnlySpan<byte> line, ref SequenceReader<byte> reader, SubjectCache? subjects, out ServerFrame frame)
    {
        frame = default;
        if (StartsWithOp(line, "MSG"u8))
        {
            return TryParseMsg(line[3..], ref reader, hasHeaders: false, subjects, out frame);
        }

        if (StartsWithOp(line, "HMSG"u8))
        {
            return TryParseMsg(line[4..], ref reader, hasHeaders: true, subjects, out frame);
        }

        if (EqualsOp(line, "PING"u8))
        {
            frame = new ServerFrame(ServerOp.Ping);
            return true;
        }

        if (EqualsOp(line, "PONG"u8))
        {
            frame = new ServerFrame(ServerOp.Pong);
            return true;
        }

        if (EqualsOp(line, "+OK"u8))
        {
            frame = new ServerFrame(ServerOp.Ok);
            return true;
        }

        if (StartsWithOp(line, "-ERR"u8) || EqualsOp(line, "-ERR"u8))
        {
            var text = Encoding.UTF8.GetString(line[4..].Trim(" \t"u8).Trim((byte)'\''));
            frame = new ServerFrame(ServerOp.Err, Text: text);
            return true;
        }

        if (StartsWithOp(line, "INFO"u8))
        {
            frame = new ServerFrame(ServerOp.Info, InfoJson: line[4..].Trim(" \t"u8).ToArray());
            return true;
        }

        throw new NatsProtocolException($"Unknown server operation: '{Encoding.UTF8.GetString(line[..Math.Min(line.Length, 64)])}'.");
    }

    private static bool TryParseMsg(
        scoped ReadOnlySpan<byte> arguments, ref SequenceReader<byte> reader, bool hasHeaders, SubjectCache? subjects, out ServerFrame frame)
    {
        frame = default;

        // MSG <subject> <sid> [reply-to] <#bytes>; HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
        Span<Range> tokens = stackalloc Range[6];
        var count = Tokenize(arguments, tokens);
        var numbers = hasHeaders ? 2 : 1;
        if (count != 2 + numbers && count != 3 + numbers)
        {
            throw Malformed(hasHeaders, arguments);
        }

        var hasReply = count == 3 + numbers;
        if (!TryParseNumber(arguments[tokens[1]], out var sid)
            || !TryParseNumber(arguments[tokens[count - 1]], out var total)
            || total > int.MaxValue)
        {
            throw Malformed(hasHeaders, arguments);
        }

        long headerLength = 0;
        if (hasHeaders && (!TryParseNumber(arguments[tokens[count - 2]], out headerLength) || headerLength > total))
        {
            throw Malformed(hasHeaders, arguments);
        }

        if (reader.Remaining < total + 2)
        {
            return false;
        }

        var body = reader.UnreadSequence.Slice(0, total);
        reader.Advance(total);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new NatsProtocolException($"A {(hasHeaders ? "HMSG" : "MSG")} payload is not followed by CRLF.");
        }

        frame = new ServerFrame(
            hasHeaders ? ServerOp.HMsg : ServerOp.Msg,
            Subject: subjects?.Get(arguments[tokens[0]]) ?? Encoding.UTF8.GetString(arguments[tokens[0]]),
            Sid: sid,
            ReplyTo: hasReply ? Encoding.UTF8.GetString(arguments[tokens[2]]) : null,
            Headers: body.Slice(0, headerLength),
            Payload: body.Slice(headerLength));
        return true;
    }

    private static NatsProtocolException Malformed(bool hasHeaders, ReadOnlySpan<byte> arguments) =>
        new($"Malformed {(hasHeaders ? "HMSG" : "MSG")} arguments: '{Encoding.UTF8.GetString(arguments[..Math.Min(arguments.Length, 256)])}'.");

    private static int Tokenize(ReadOnlySpan<byte> text, Span<Range> tokens)
    {
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            var start = i;
            while (i < text.Length && text[i] is not ((byte)' ' or (byte)'\t'))
            {
                i++;
            }

            if (count == tokens.Length)
            {
                return count + 1;
            }

            tokens[count++] = start..i;
        }

        return count;
    }

    private static bool TryParseNumber(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && value >= 0;

    // Operation names are case-insensitive in the protocol; the server sends upper case, so compare that first.
    private static bool StartsWithOp(ReadOnlySpan<byte> line, ReadOnlySpan<byte> op) =>
        line.Length > op.Length && line[op.Length] is (byte)' ' or (byte)'\t' && Ascii.EqualsIgnoreCase(line[..op.Length], op);

    private static bool EqualsOp(ReadOnlySpan<byte> line, ReadOnlySpan<byte> op) =>
        Ascii.EqualsIgnoreCase(line.TrimEnd(" \t"u8), op);
}
