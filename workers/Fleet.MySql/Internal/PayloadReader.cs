using System.Buffers.Binary;
using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>Reads the little-endian and length-encoded fields of one packet payload without allocating.</summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _payload;

    public PayloadReader(ReadOnlySpan<byte> payload)
    {
        _payload = payload;
        Offset = 0;
    }

    public int Offset { get; set; }

    public readonly int Remaining => _payload.Length - Offset;

    public byte ReadByte()
    {
        Need(1);
        return _payload[Offset++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadUInt16LittleEndian(_payload[Offset..]);
        Offset += 2;
        return value;
    }

    public int ReadUInt24()
    {
        Need(3);
        var value = _payload[Offset] | (_payload[Offset + 1] << 8) | (_payload[Offset + 2] << 16);
        Offset += 3;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_payload[Offset..]);
        Offset += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_payload[Offset..]);
        Offset += 8;
        return value;
    }

    /// <summary>Reads a length-encoded integer (1, 3, 4 or 9 bytes on the wire).</summary>
    public ulong ReadLengthEncodedInteger()
    {
        var first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFC => ReadUInt16(),
            0xFD => (ulong)ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => throw new MySqlProtocolException($"Invalid length-encoded integer prefix 0x{first:X2}."),
        };
    }

    /// <summary>Reads a length-encoded string's bytes; a 0xFB prefix (SQL NULL) returns false.</summary>
    public bool TryReadLengthEncodedBytes(out ReadOnlySpan<byte> bytes)
    {
        Need(1);
        if (_payload[Offset] == 0xFB)
        {
            Offset++;
            bytes = default;
            return false;
        }

        var length = ReadLengthEncodedInteger();
        if (length > (ulong)Remaining)
        {
            throw new MySqlProtocolException($"A field of {length} bytes overruns the packet ({Remaining} bytes left).");
        }

        bytes = _payload.Slice(Offset, (int)length);
        Offset += (int)length;
        return true;
    }

    public ReadOnlySpan<byte> ReadLengthEncodedBytes() =>
        TryReadLengthEncodedBytes(out var bytes) ? bytes : throw new MySqlProtocolException("Unexpected NULL field.");

    public string ReadLengthEncodedString() => Encoding.UTF8.GetString(ReadLengthEncodedBytes());

    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        var end = _payload[Offset..].IndexOf((byte)0);
        if (end < 0)
        {
            throw new MySqlProtocolException("A NUL-terminated field has no terminator.");
        }

        var bytes = _payload.Slice(Offset, end);
        Offset += end + 1;
        return bytes;
    }

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Need(count);
        var bytes = _payload.Slice(Offset, count);
        Offset += count;
        return bytes;
    }

    public ReadOnlySpan<byte> ReadRest()
    {
        var bytes = _payload[Offset..];
        Offset = _payload.Length;
        return bytes;
    }

    private readonly void Need(int count)
    {
        if (Remaining < count)
        {
            throw new MySqlProtocolException($"Packet too short: needed {count} more bytes at offset {Offset} of {_payload.Length}.");
        }
    }
}
