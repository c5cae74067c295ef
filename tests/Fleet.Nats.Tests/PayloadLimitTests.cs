namespace Fleet.Nats.Tests;

public class PayloadLimitTests
{
    [Fact]
    public void PayloadAtTheLimitIsAccepted()
    {
        NatsConnection.CheckPayloadSize("s", 24, 1000, 1024);
    }

    [Fact]
    public void PayloadOverTheLimitIsRejected()
    {
        var error = Assert.Throws<NatsPayloadTooLargeException>(() => NatsConnection.CheckPayloadSize("s", 0, 1025, 1024));

        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadersCountTowardsTheLimit()
    {
        Assert.Throws<NatsPayloadTooLargeException>(() => NatsConnection.CheckPayloadSize("s", 25, 1000, 1024));
    }

    [Fact]
    public void ServerInfoParsesLimitAndUrls()
    {
        var info = NatsServerInfo.Parse(
            """{"server_id":"N1","version":"2.9.10","max_payload":2048,"headers":true,"jetstream":true,"connect_urls":["10.0.0.2:4222"]}"""u8);

        Assert.Equal("N1", info.ServerId);
        Assert.Equal(2048, info.MaxPayload);
        Assert.True(info.HeadersSupported);
        Assert.True(info.JetStream);
        Assert.Equal(["10.0.0.2:4222"], info.ConnectUrls);
    }
}
