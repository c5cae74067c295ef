using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

public sealed class PacketChannelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task PacketsSplitAcrossReadsAreReassembled(int chunkSize)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] wire = [.. Packet(0, [0x00, 0x01, 0x02]), .. Packet(1, "hello"u8.ToArray()), .. Packet(2, [])];
        using var channel = new PacketChannel(new ChunkedStream(wire, chunkSize));
        Assert.Equal([0x00, 0x01, 0x02], (await channel.ReadPayloadAsync(ioAsync: true, cts.Token)).ToArray());
        Assert.Equal("hello"u8.ToArray(), (await channel.ReadPayloadAsync(ioAsync: true, cts.Token)).ToArray());
        Assert.Empty((await channel.ReadPayloadAsync(ioAsync: true, cts.Token)).ToArray());
        Assert.Equal(3, channel.Sequence);
    }

    [Fact]
    public async Task SyncReadsCompleteSynchronouslyAcrossSplitReads()
    {
        byte[] wire = [.. Packet(0, "abc"u8.ToArray()), .. Packet(1, "defg"u8.ToArray())];
        using var channel = new PacketChannel(new ChunkedStream(wire, 1));
        var first = channel.ReadPayloadAsync(ioAsync: false, CancellationToken.None);
        Assert.True(first.IsCompleted);
        Assert.Equal("abc"u8.ToArray(), (await first).ToArray());
        var second = channel.ReadPayloadAsync(ioAsync: false, CancellationToken.None);
        Assert.True(second.IsCompleted);
        Assert.Equal("defg"u8.ToArray(), (await second).ToArray());
    }

    [Fact]
    public async Task PayloadOfExactly16MiBContinuesInTheNextPacket()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = new byte[ProtocolNumbers.MaxPacketPayload];
        first[^1] = 0xAB;
        byte[] wire = [.. Packet(0, first), .. Packet(1, [0xCD, 0xEF])];
        using var channel = new PacketChannel(new ChunkedStream(wire, 65536));
        var payload = await channel.ReadPayloadAsync(ioAsync: true, cts.Token);
        Assert.Equal(ProtocolNumbers.MaxPacketPayload + 2, payload.Length);
        Assert.Equal([0xAB, 0xCD, 0xEF], payload.Span[^3..].ToArray());
    }

    [Fact]
    public async Task TruncatedPacketFailsAndBreaksTheChannel()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var wire = Packet(0, "complete"u8.ToArray())[..7];
        using var channel = new PacketChannel(new ChunkedStream(wire, 3));
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await channel.ReadPayloadAsync(ioAsync: true, cts.Token));
        Assert.True(channel.IsBroken);
    }

    [Fact]
    public async Task WrittenPayloadCarriesHeaderAndSequence()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var output = new MemoryStream();
        using var channel = new PacketChannel(output) { Sequence = 5 };
        using var writer = new PayloadWriter();
        writer.WriteByte(CommandByte.Query);
        writer.WriteUtf8("SELECT 1");
        await channel.WritePayloadAsync(writer, ioAsync: true, cts.Token);
        Assert.Equal([9, 0, 0, 5, 3, .. "SELECT 1"u8.ToArray()], output.ToArray());
        Assert.Equal(6, channel.Sequence);
    }

    private static byte[] Packet(byte sequence, byte[] payload) =>
        [(byte)payload.Length, (byte)(payload.Length >> 8), (byte)(payload.Length >> 16), sequence, .. payload];

    /// <summary>Hands out at most <c>chunkSize</c> bytes per read, like a slow network.</summary>
    private sealed class ChunkedStream(byte[] data, int chunkSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(chunkSize, buffer.Length), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
