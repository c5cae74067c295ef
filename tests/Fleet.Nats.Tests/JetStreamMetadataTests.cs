using Fleet.Nats.JetStream;

namespace Fleet.Nats.Tests;

public class JetStreamMetadataTests
{
    // 2023-11-14T22:13:20Z plus 123456789 ns; DateTimeOffset keeps 100 ns ticks, so the last two digits go.
    private const string Nanoseconds = "1700000000123456789";
    private static readonly DateTimeOffset Expected = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);

    [Fact]
    public void ParsesV1Layout()
    {
        Assert.True(NatsJSMsgMetadata.TryParse($"$JS.ACK.ORDERS.worker.2.17.42.{Nanoseconds}.5", out var metadata));

        Assert.Null(metadata.Domain);
        Assert.Equal("ORDERS", metadata.Stream);
        Assert.Equal("worker", metadata.Consumer);
        Assert.Equal(2UL, metadata.NumDelivered);
        Assert.Equal(17UL, metadata.StreamSequence);
        Assert.Equal(42UL, metadata.ConsumerSequence);
        Assert.Equal(Expected, metadata.Timestamp);
        Assert.Equal(5UL, metadata.NumPending);
    }

    [Fact]
    public void ParsesV2LayoutWithDomainAndAccountHash()
    {
        Assert.True(NatsJSMsgMetadata.TryParse($"$JS.ACK.hub.AbC123hash.ORDERS.worker.3.18.43.{Nanoseconds}.0.rNdT0k3n", out var metadata));

        Assert.Equal("hub", metadata.Domain);
        Assert.Equal("ORDERS", metadata.Stream);
        Assert.Equal("worker", metadata.Consumer);
        Assert.Equal(3UL, metadata.NumDelivered);
        Assert.Equal(18UL, metadata.StreamSequence);
        Assert.Equal(43UL, metadata.ConsumerSequence);
        Assert.Equal(Expected, metadata.Timestamp);
        Assert.Equal(0UL, metadata.NumPending);
    }

    [Fact]
    public void TreatsUnderscoreDomainAsNone()
    {
        Assert.True(NatsJSMsgMetadata.TryParse($"$JS.ACK._.hash.S.C.1.1.1.{Nanoseconds}.0.token", out var metadata));

        Assert.Null(metadata.Domain);
        Assert.Equal("S", metadata.Stream);
    }

    [Theory]
    [InlineData("$JS.ACK._.hash.S.C.1.2.3.1700000000123456789.4")]
    [InlineData("$JS.ACK._.hash.S.C.1.2.3.1700000000123456789.4.token")]
    [InlineData("$JS.ACK._.hash.S.C.1.2.3.1700000000123456789.4.token.future")]
    [InlineData("$JS.ACK._.hash.S.C.1.2.3.1700000000123456789.4.token.future.more.and.more")]
    public void IgnoresTokensAfterPendingInV2(string subject)
    {
        Assert.True(NatsJSMsgMetadata.TryParse(subject, out var metadata));

        Assert.Equal("S", metadata.Stream);
        Assert.Equal("C", metadata.Consumer);
        Assert.Equal(1UL, metadata.NumDelivered);
        Assert.Equal(2UL, metadata.StreamSequence);
        Assert.Equal(3UL, metadata.ConsumerSequence);
        Assert.Equal(4UL, metadata.NumPending);
    }

    [Fact]
    public void ParsesLargestSequences()
    {
        var max = ulong.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(NatsJSMsgMetadata.TryParse($"$JS.ACK.S.C.{max}.{max}.{max}.{max}.{max}", out var metadata));

        Assert.Equal(ulong.MaxValue, metadata.StreamSequence);
        Assert.Equal(ulong.MaxValue, metadata.NumPending);
        Assert.Equal(2554, metadata.Timestamp.Year);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("_INBOX.abc.def")]
    [InlineData("$JS.ACK")]
    [InlineData("$JS.ACK.S.C.1.2.3.4")]
    [InlineData("$JS.ACK.S.C.1.2.3.4.5.6")]
    [InlineData("$JS.NAK.S.C.1.2.3.4.5")]
    [InlineData("$js.ack.S.C.1.2.3.4.5")]
    [InlineData("$JS.ACK..C.1.2.3.4.5")]
    [InlineData("$JS.ACK.S..1.2.3.4.5")]
    [InlineData("$JS.ACK.S.C.x.2.3.4.5")]
    [InlineData("$JS.ACK.S.C.1.-2.3.4.5")]
    [InlineData("$JS.ACK.S.C.1.2.+3.4.5")]
    [InlineData("$JS.ACK.S.C.1.2.3.4.18446744073709551616")]
    [InlineData("$JS.ACK.S.C.1.2.3. 4.5")]
    [InlineData("$JS.ACK..hash.S.C.1.2.3.4.5.token")]
    public void RejectsSubjectsThatAreNotAckSubjects(string? subject)
    {
        Assert.False(NatsJSMsgMetadata.TryParse(subject, out var metadata));
        Assert.Null(metadata);
    }
}
