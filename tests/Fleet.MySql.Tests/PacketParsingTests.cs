using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

public sealed class PacketParsingTests
{
    [Theory]
    [InlineData(new byte[] { 0xFA }, 250UL)]
    [InlineData(new byte[] { 0xFC, 0xFB, 0x00 }, 251UL)]
    [InlineData(new byte[] { 0xFD, 0x01, 0x02, 0x03 }, 0x030201UL)]
    [InlineData(new byte[] { 0xFE, 1, 0, 0, 0, 0, 0, 0, 0x80 }, 0x8000000000000001UL)]
    public void LengthEncodedIntegersDecode(byte[] bytes, ulong expected)
    {
        var reader = new PayloadReader(bytes);
        Assert.Equal(expected, reader.ReadLengthEncodedInteger());
        Assert.Equal(0, reader.Remaining);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(250UL)]
    [InlineData(251UL)]
    [InlineData(65535UL)]
    [InlineData(65536UL)]
    [InlineData(16777215UL)]
    [InlineData(16777216UL)]
    [InlineData(ulong.MaxValue)]
    public void LengthEncodedIntegersRoundTrip(ulong value)
    {
        using var writer = new PayloadWriter();
        writer.WriteLengthEncodedInteger(value);
        var reader = new PayloadReader(writer.Payload);
        Assert.Equal(value, reader.ReadLengthEncodedInteger());
    }

    [Fact]
    public void TruncatedFieldIsAProtocolError()
    {
        var bytes = new byte[] { 0x05, (byte)'a', (byte)'b' };
        Assert.Throws<MySqlProtocolException>(() =>
        {
            var reader = new PayloadReader(bytes);
            reader.ReadLengthEncodedBytes();
        });
    }

    [Fact]
    public void NullFieldIsReportedAsAbsent()
    {
        var reader = new PayloadReader([0xFB, 0x01, (byte)'x']);
        Assert.False(reader.TryReadLengthEncodedBytes(out _));
        Assert.True(reader.TryReadLengthEncodedBytes(out var value));
        Assert.Equal("x"u8.ToArray(), value.ToArray());
    }

    [Fact]
    public void MariaDbHandshakeIsParsed()
    {
        using var writer = new PayloadWriter();
        writer.WriteByte(10);
        writer.WriteNullTerminatedString("5.5.5-10.11.6-MariaDB-0+deb12u1");
        writer.WriteUInt32(77);
        writer.WriteBytes("abcdefgh"u8);
        writer.WriteByte(0);
        var capabilities = (uint)(CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection | CapabilityFlags.PluginAuth | CapabilityFlags.Ssl);
        writer.WriteUInt16((ushort)capabilities);
        writer.WriteByte(45);
        writer.WriteUInt16((ushort)(ServerStatus.Autocommit | ServerStatus.NoBackslashEscapes));
        writer.WriteUInt16((ushort)(capabilities >> 16));
        writer.WriteByte(21);
        writer.WriteZeros(10);
        writer.WriteBytes("ijklmnopqrst\0"u8);
        writer.WriteNullTerminatedString("mysql_native_password");

        var handshake = InitialHandshake.Parse(writer.Payload);
        Assert.Equal("10.11.6-MariaDB-0+deb12u1", handshake.ServerVersion);
        Assert.Equal(77, handshake.ConnectionId);
        Assert.Equal("abcdefghijklmnopqrst"u8.ToArray(), handshake.Scramble);
        Assert.Equal("mysql_native_password", handshake.AuthPluginName);
        Assert.True(handshake.Capabilities.HasFlag(CapabilityFlags.Ssl));
        Assert.True(handshake.Status.HasFlag(ServerStatus.NoBackslashEscapes));
    }

    [Fact]
    public void ErrorPacketCarriesNumberSqlStateAndMessage()
    {
        using var writer = new PayloadWriter();
        writer.WriteByte(0xFF);
        writer.WriteUInt16(1062);
        writer.WriteBytes("#23000Duplicate entry 'x'"u8);
        var error = ServerSession.CreateServerException(writer.Payload);
        Assert.Equal(1062, error.Number);
        Assert.Equal("23000", error.SqlState);
        Assert.Equal("Duplicate entry 'x'", error.Message);
    }

    [Theory]
    [InlineData("2024-02-29", 2024, 2, 29, 0L)]
    [InlineData("2024-02-29 23:59:58", 2024, 2, 29, 86398L * TimeSpan.TicksPerSecond)]
    [InlineData("2024-02-29 00:00:00.123456", 2024, 2, 29, 1234560L)]
    [InlineData("2024-02-29 00:00:00.5", 2024, 2, 29, 5000000L)]
    public void DateTimesParse(string text, int year, int month, int day, long ticksIntoDay) =>
        Assert.Equal(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified).AddTicks(ticksIntoDay), TextValueParser.ParseDateTime(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void ZeroDateIsRejected() =>
        Assert.Throws<InvalidCastException>(() => TextValueParser.ParseDateTime("0000-00-00 00:00:00"u8));

    [Theory]
    [InlineData("838:59:59", 838L * 3600 + 3599, 0L)]
    [InlineData("-00:00:01.500000", -1L, -5000000L)]
    [InlineData("12:00:00.000001", 43200L, 10L)]
    public void TimesParse(string text, long seconds, long extraTicks) =>
        Assert.Equal(new TimeSpan((seconds * TimeSpan.TicksPerSecond) + extraTicks), TextValueParser.ParseTimeSpan(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void BitValuesAreBigEndian() => Assert.Equal(0xABCUL, TextValueParser.ParseBit([0x0A, 0xBC]));
}
