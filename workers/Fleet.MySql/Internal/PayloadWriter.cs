using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>
/// Builds one outgoing payload in a pooled buffer. The first four bytes are reserved for the packet header, so a
/// payload under 16 MiB goes to the socket in a single write with no copy.
/// </summary>
internal sealed class PayloadWriter : IDisposable
{
    public const int HeaderSize = 4;

    private byte[] _buffer;
    private int _position = HeaderSize;

    public PayloadWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity + HeaderSize);
    }

    /// <summary>Payload length so far (the header excluded).</summary>
    public int Length => _position - HeaderSize;

    /// <summary>The buffer with four header bytes in front of the payload.</summary>
    public ArraySegment<byte> BufferWithHeader => new(_buffer, 0, _position);

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(HeaderSize, Length);

    public void Clear() => _position = HeaderSize;

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_position), value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteZeros(int count)
    {
        Ensure(count);
        _buffer.AsSpan(_position, count).Clear();
        _position += count;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    public void WriteLengthEncodedInteger(ulong value)
    {
        switch (value)
        {
            case < 0xFB:
                WriteByte((byte)value);
                break;
            case <= 0xFFFF:
                WriteByte(0xFC);
                WriteUInt16((ushort)value);
                break;
            case <= 0xFFFFFF:
                WriteByte(0xFD);
                WriteByte((byte)value);
                WriteUInt16((ushort)(value >> 8));
                break;
            default:
                WriteByte(0xFE);
                Ensure(8);
                BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position), value);
                _position += 8;
                break;
        }
    }

    public void WriteLengthEncodedBytes(ReadOnlySpan<byte> bytes)
    {
        WriteLengthEncodedInteger((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    public void WriteLengthEncodedString(string value)
    {
        WriteLengthEncodedInteger((ulong)Encoding.UTF8.GetByteCount(value));
        WriteUtf8(value);
    }

    public void WriteNullTerminatedString(string value)
    {
        WriteUtf8(value);
        WriteByte(0);
    }

    /// <summary>
    /// Writes UTF-8. Lone surrogates become U+FFFD, exactly as Encoding.UTF8 does in MySql.Data (the differential
    /// tests pin this down), rather than failing a whole statement over one unpaired char.
    /// </summary>
    public void WriteUtf8(ReadOnlySpan<char> value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length));
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>Writes ASCII-only text (numbers, keywords) byte by byte.</summary>
    public void WriteAscii(ReadOnlySpan<char> value)
    {
        Ensure(value.Length);
        foreach (var c in value)
        {
            _buffer[_position++] = (byte)c;
        }
    }

    /// <summary>Reserves room and returns the span to write into; call <see cref="Advance"/> afterwards.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_position);
    }

    public void Advance(int count) => _position += count;

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int count)
    {
        if (_position + count <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _position + count));
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
