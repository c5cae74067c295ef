using System.Buffers;
using System.Runtime.CompilerServices;

namespace Fleet.MySql.Internal;

/// <summary>
/// Frames MySQL packets (3-byte length, 1-byte sequence id) over a stream. A returned payload points into the
/// receive buffer and stays valid until the next read, which is what lets the data reader parse rows lazily
/// straight from the socket buffer.
/// </summary>
internal sealed class PacketChannel : IDisposable
{
    // 16 KiB holds a typical point-select response (column definitions plus a row) in one socket read.
    private const int InitialBufferSize = 16 * 1024;

    private Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private byte[]? _largePayload;

    public PacketChannel(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>The next sequence id to send; the server's reply continues from the last one it saw.</summary>
    public byte Sequence { get; set; }

    /// <summary>True once reading or writing failed: the stream position is unknown, so the channel is unusable.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Swaps in a wrapping stream (TLS) after the SSL request; nothing may be buffered at that point.</summary>
    public void ReplaceStream(Stream stream)
    {
        if (_end != _start)
        {
            throw new MySqlProtocolException("The server sent data before the TLS handshake.");
        }

        _stream = stream;
    }

    public void MarkBroken() => IsBroken = true;

    /// <summary>Reads one logical payload, joining 16 MiB continuation packets.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadPayloadAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        try
        {
            var first = await ReadPacketAsync(ioAsync, cancellationToken);
            if (first.Length < ProtocolNumbers.MaxPacketPayload)
            {
                return first;
            }

            // Rare (payloads of 16 MiB and more): copy the parts together outside the receive buffer.
            var total = first.Length;
            var large = ArrayPool<byte>.Shared.Rent(total * 2);
            first.Span.CopyTo(large);
            while (true)
            {
                var next = await ReadPacketAsync(ioAsync, cancellationToken);
                if (total + next.Length > large.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((total + next.Length) * 2);
                    large.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(large);
                    large = bigger;
                }

                next.Span.CopyTo(large.AsSpan(total));
                total += next.Length;
                if (next.Length < ProtocolNumbers.MaxPacketPayload)
                {
                    break;
                }
            }

            if (_largePayload is not null)
            {
                ArrayPool<byte>.Shared.Return(_largePayload);
            }

            _largePayload = large;
            return large.AsMemory(0, total);
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }

    /// <summary>Sends the payload in <paramref name="writer"/> with the next sequence id(s).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WritePayloadAsync(PayloadWriter writer, bool ioAsync, CancellationToken cancellationToken)
    {
        try
        {
            var segment = writer.BufferWithHeader;
            var payloadLength = writer.Length;
            if (payloadLength < ProtocolNumbers.MaxPacketPayload)
            {
                WriteHeader(segment.AsSpan(), payloadLength, Sequence++);
                await WriteAsync(segment.AsMemory(), ioAsync, cancellationToken);
            }
            else
            {
                var header = new byte[4];
                var offset = PayloadWriter.HeaderSize;
                var remaining = payloadLength;
                while (true)
                {
                    var chunk = Math.Min(remaining, ProtocolNumbers.MaxPacketPayload);
                    WriteHeader(header, chunk, Sequence++);
                    await WriteAsync(header, ioAsync, cancellationToken);
                    await WriteAsync(segment.Array.AsMemory(offset, chunk), ioAsync, cancellationToken);
                    offset += chunk;
                    remaining -= chunk;

                    // A payload that is an exact multiple of 16 MiB ends with an empty packet.
                    if (chunk < ProtocolNumbers.MaxPacketPayload)
                    {
                        break;
                    }
                }
            }

            if (ioAsync)
            {
                await _stream.FlushAsync(cancellationToken);
            }
            else
            {
                _stream.Flush();
            }
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_largePayload is not null)
        {
            ArrayPool<byte>.Shared.Return(_largePayload);
            _largePayload = null;
        }
    }

    private static void WriteHeader(Span<byte> header, int length, byte sequence)
    {
        header[0] = (byte)length;
        header[1] = (byte)(length >> 8);
        header[2] = (byte)(length >> 16);
        header[3] = sequence;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool ioAsync, CancellationToken cancellationToken)
    {
        if (ioAsync)
        {
            await _stream.WriteAsync(data, cancellationToken);
        }
        else
        {
            _stream.Write(data.Span);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        await FillAsync(4, ioAsync, cancellationToken);
        var length = _buffer[_start] | (_buffer[_start + 1] << 8) | (_buffer[_start + 2] << 16);
        Sequence = (byte)(_buffer[_start + 3] + 1);
        await FillAsync(4 + length, ioAsync, cancellationToken);
        var payload = _buffer.AsMemory(_start + 4, length);
        _start += 4 + length;
        return payload;
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available from <c>_start</c>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(int count, bool ioAsync, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_start + count > _buffer.Length)
        {
            // Move the unread tail to the front, growing the buffer if the packet is larger than it.
            var target = count > _buffer.Length ? ArrayPool<byte>.Shared.Rent(count) : _buffer;
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            var read = ioAsync
                ? await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken)
                : _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                throw new EndOfStreamException(
                    $"The server closed the connection (expected {count - (_end - _start)} more bytes).");
            }

            _end += read;
        }
    }
}
