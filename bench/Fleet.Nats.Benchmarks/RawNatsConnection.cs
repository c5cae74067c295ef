using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Fleet.Nats.Benchmarks;

/// <summary>
/// The baseline: a bare socket speaking just enough NATS protocol (CONNECT, PUB, SUB, PING/PONG, MSG) to measure
/// what this machine and server allow. No pipe, no locks, no reconnect, no validation — the floor our client's
/// overhead is measured against, not a second client.
/// </summary>
internal sealed class RawNatsConnection : IDisposable
{
    // Big enough for a full socket receive of small MSGs plus one 64 KiB payload; a frame never spans a refill gap.
    private const int ReceiveBufferSize = 1024 * 1024;

    private static readonly byte[] Ping = "PING\r\n"u8.ToArray();
    private static readonly byte[] Pong = "PONG\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[ReceiveBufferSize];
    private int _start;
    private int _end;

    private RawNatsConnection(Socket socket) => _socket = socket;

    /// <summary>Connects, reads INFO, sends CONNECT with verbose and pedantic off, and waits for the PONG that confirms it.</summary>
    public static async Task<RawNatsConnection> ConnectAsync(Uri server, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new RawNatsConnection(socket);
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
            await connection.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"raw-baseline\"}\r\n"u8.ToArray(), cancellationToken);
            await connection.PingPongAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Sends PING and waits for its PONG: the server has then processed everything sent before.</summary>
    public async Task PingPongAsync(CancellationToken cancellationToken)
    {
        await SendAsync(Ping, cancellationToken);
        while ((await ReadFrameAsync(cancellationToken)).Kind != RawFrameKind.Pong)
        {
            // MSGs that were already on their way are not what this call waits for.
        }
    }

    /// <summary>Reads the next MSG or PONG, receiving from the socket as needed.</summary>
    public async ValueTask<RawFrame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        RawFrame frame;
        while (!TryReadFrame(out frame))
        {
            await ReceiveAsync(cancellationToken);
        }

        return frame;
    }

    /// <summary>Parses the next MSG or PONG out of what was received; answers server PINGs and skips INFO and +OK.</summary>
    /// <exception cref="InvalidOperationException">The server sent -ERR or something this baseline does not speak.</exception>
    public bool TryReadFrame(out RawFrame frame)
    {
        while (true)
        {
            frame = default;
            var available = _buffer.AsSpan(_start, _end - _start);
            var lineFeed = available.IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                return false;
            }

            var line = available[..lineFeed].TrimEnd((byte)'\r');
            if (line.StartsWith("MSG "u8))
            {
                return TryReadMsg(line, lineFeed + 1, out frame);
            }

            _start += lineFeed + 1;
            if (line.SequenceEqual("PONG"u8))
            {
                frame = new RawFrame(RawFrameKind.Pong, default, default, default);
                return true;
            }

            if (line.SequenceEqual("PING"u8))
            {
                // Rare (the server's ping interval is minutes), so a blocking send keeps this method synchronous.
                _socket.Send(Pong);
            }
            else if (!line.StartsWith("INFO "u8) && !line.SequenceEqual("+OK"u8))
            {
                throw new InvalidOperationException($"The raw baseline got '{Encoding.ASCII.GetString(line)}' from the server.");
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private bool TryReadMsg(ReadOnlySpan<byte> line, int lineLength, out RawFrame frame)
    {
        frame = default;

        // MSG <subject> <sid> [reply-to] <#bytes>
        Span<Range> parts = stackalloc Range[5];
        var count = Tokenize(line[4..], parts);
        if (count is not (3 or 4) || !Utf8Parser.TryParse(line[4..][parts[count - 1]], out int length, out _))
        {
            throw new InvalidOperationException($"The raw baseline cannot parse '{Encoding.ASCII.GetString(line)}'.");
        }

        if (_end - _start < lineLength + length + 2)
        {
            return false;
        }

        var origin = _start + 4;
        var memory = _buffer.AsMemory();
        var subject = memory[(origin + parts[0].Start.Value)..(origin + parts[0].End.Value)];
        var replyTo = count == 4 ? memory[(origin + parts[2].Start.Value)..(origin + parts[2].End.Value)] : default;
        frame = new RawFrame(RawFrameKind.Msg, subject, replyTo, memory.Slice(_start + lineLength, length));
        _start += lineLength + length + 2;
        return true;
    }

    /// <summary>Splits on spaces into at most <paramref name="parts"/>.Length ranges; returns how many there were (one more means too many).</summary>
    private static int Tokenize(ReadOnlySpan<byte> text, Span<Range> parts)
    {
        var count = 0;
        var position = 0;
        while (position < text.Length && count < parts.Length)
        {
            while (position < text.Length && text[position] == (byte)' ')
            {
                position++;
            }

            if (position == text.Length)
            {
                break;
            }

            var end = text[position..].IndexOf((byte)' ');
            end = end < 0 ? text.Length : position + end;
            parts[count++] = new Range(position, end);
            position = end;
        }

        return count;
    }

    private async ValueTask ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new InvalidOperationException($"A server frame is larger than the raw baseline's {ReceiveBufferSize}-byte buffer.");
            }

            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (received == 0)
        {
            throw new EndOfStreamException("The NATS server closed the raw baseline's connection.");
        }

        _end += received;
    }
}
