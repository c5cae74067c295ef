using System.Buffers;
using System.Text;

namespace Fleet.Nats.Tests;

public class NatsHeadersTests
{
    [Fact]
    public void ParsesStatusWithDescription()
    {
        var headers = Parse("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 5\r\n\r\n");

        Assert.Equal(408, headers.StatusCode);
        Assert.Equal("Request Timeout", headers.StatusDescription);
        Assert.Equal("5", headers["Nats-Pending-Messages"]);
    }

    [Fact]
    public void ParsesNoRespondersStatusWithoutDescription()
    {
        var headers = Parse("NATS/1.0 503\r\n\r\n");

        Assert.Equal(503, headers.StatusCode);
        Assert.Null(headers.StatusDescription);
        Assert.Equal(0, headers.Count);
    }

    [Fact]
    public void ParsesPlainBlockWithoutStatus()
    {
        var headers = Parse("NATS/1.0\r\nA: 1\r\nB:2\r\nA: 3\r\n\r\n");

        Assert.Null(headers.StatusCode);
        Assert.Equal(2, headers.Count);
        Assert.Equal("1", headers["a"]);
        Assert.Equal(["1", "3"], headers.GetValues("A"));
        Assert.Equal("2", headers["B"]);
    }

    [Fact]
    public void ParsesBlockSplitAcrossSegments()
    {
        var bytes = Encoding.UTF8.GetBytes("NATS/1.0 404 No Messages\r\nKey: Value\r\n\r\n");
        for (var split = 0; split <= bytes.Length; split++)
        {
            var headers = NatsHeaders.Parse(SegmentedSequence.Create(bytes.AsMemory(0, split), bytes.AsMemory(split)));
            Assert.Equal(404, headers.StatusCode);
            Assert.Equal("No Messages", headers.StatusDescription);
            Assert.Equal("Value", headers["Key"]);
        }
    }

    [Fact]
    public void RejectsBlockWithoutVersion()
    {
        Assert.Throws<NatsProtocolException>(() => Parse("HTTP/1.1 200\r\n\r\n"));
    }

    [Fact]
    public void SerialisesInInsertionOrderAndRoundTrips()
    {
        var headers = new NatsHeaders { { "Zed", "1" }, { "Alpha", "2" } };
        headers.Add("Zed", "3");
        var writer = new ArrayBufferWriter<byte>();

        var written = headers.WriteTo(writer);

        const string Expected = "NATS/1.0\r\nZed: 1\r\nZed: 3\r\nAlpha: 2\r\n\r\n";
        Assert.Equal(Expected, Encoding.UTF8.GetString(writer.WrittenSpan));
        Assert.Equal(Expected.Length, written);
        Assert.Equal(Expected.Length, headers.GetSerializedLength());
        var parsed = NatsHeaders.Parse(new ReadOnlySequence<byte>(writer.WrittenMemory));
        Assert.Equal(["1", "3"], parsed.GetValues("Zed"));
        Assert.Equal("2", parsed["Alpha"]);
    }

    [Fact]
    public void IndexerSetReplacesAllValuesAndNullRemoves()
    {
        var headers = new NatsHeaders { { "A", "1" }, { "A", "2" } };

        headers["a"] = "3";
        Assert.Equal(["3"], headers.GetValues("A"));

        headers["A"] = null;
        Assert.Equal(0, headers.Count);
        Assert.False(headers.TryGetValue("A", out _));
    }

    [Theory]
    [InlineData("Bad:Name", "v")]
    [InlineData("Bad Name", "v")]
    [InlineData("Name", "line\r\nbreak")]
    public void RejectsNamesAndValuesThatWouldBreakTheBlock(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => new NatsHeaders().Add(name, value));
    }

    private static NatsHeaders Parse(string block) => NatsHeaders.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(block)));
}
