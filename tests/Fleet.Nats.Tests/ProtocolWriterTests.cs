using System.Buffers;
using System.Text;
using System.Text.Json;
using Fleet.Nats.Commands;

namespace Fleet.Nats.Tests;

public class ProtocolWriterTests
{
    [Fact]
    public void PublishWritesPubFrame()
    {
        var writer = new ArrayBufferWriter<byte>();

        var written = ProtocolWriter.WritePublish(writer, "orders.new", null, null, "hello"u8);

        Assert.Equal("PUB orders.new 5\r\nhello\r\n", Text(writer));
        Assert.Equal(writer.WrittenCount, written);
        Assert.Equal(written, ProtocolWriter.GetPublishLength("orders.new", null, 0, 5, hasHeaders: false));
    }

    [Fact]
    public void PublishWithReplyWritesReplySubject()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WritePublish(writer, "svc.echo", "_INBOX.abc.7", null, "x"u8);

        Assert.Equal("PUB svc.echo _INBOX.abc.7 1\r\nx\r\n", Text(writer));
    }

    [Fact]
    public void PublishOfEmptyPayloadWritesZeroLength()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WritePublish(writer, "a", null, null, ReadOnlySpan<byte>.Empty);

        Assert.Equal("PUB a 0\r\n\r\n", Text(writer));
    }

    [Fact]
    public void PublishWithHeadersWritesHpubFrame()
    {
        var writer = new ArrayBufferWriter<byte>();
        var headers = new NatsHeaders { { "Nats-Msg-Id", "42" }, { "X-Request-ID", "r1" } };

        var written = ProtocolWriter.WritePublish(writer, "orders.new", "reply.to", headers, "hi\r\n"u8);

        const string Block = "NATS/1.0\r\nNats-Msg-Id: 42\r\nX-Request-ID: r1\r\n\r\n";
        Assert.Equal($"HPUB orders.new reply.to {Block.Length} {Block.Length + 4}\r\n{Block}hi\r\n\r\n", Text(writer));
        Assert.Equal(writer.WrittenCount, written);
        Assert.Equal(written, ProtocolWriter.GetPublishLength("orders.new", "reply.to", Block.Length, 4, hasHeaders: true));
    }

    [Fact]
    public void PublishOfLargePayloadSpansSegmentsExactly()
    {
        var writer = new ArrayBufferWriter<byte>(16);
        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();

        var written = ProtocolWriter.WritePublish(writer, "big", null, null, payload);

        var prefix = "PUB big 200000\r\n"u8.ToArray();
        Assert.Equal(prefix.Length + payload.Length + 2, written);
        Assert.Equal(prefix, writer.WrittenSpan[..prefix.Length].ToArray());
        Assert.True(writer.WrittenSpan.Slice(prefix.Length, payload.Length).SequenceEqual(payload));
    }

    [Fact]
    public void SubscribeWritesSubFrame()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WriteSubscribe(writer, "orders.*", null, 3);
        ProtocolWriter.WriteSubscribe(writer, "api.v1.>", "api", 12);

        Assert.Equal("SUB orders.* 3\r\nSUB api.v1.> api 12\r\n", Text(writer));
    }

    [Fact]
    public void UnsubscribeWritesUnsubFrame()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WriteUnsubscribe(writer, 3, null);
        ProtocolWriter.WriteUnsubscribe(writer, 4, 10);

        Assert.Equal("UNSUB 3\r\nUNSUB 4 10\r\n", Text(writer));
    }

    [Fact]
    public void PingAndPongAreExact()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WriteRaw(writer, ProtocolWriter.Ping);
        ProtocolWriter.WriteRaw(writer, ProtocolWriter.Pong);

        Assert.Equal("PING\r\nPONG\r\n", Text(writer));
    }

    [Fact]
    public void ConnectWritesOptionsAsJson()
    {
        var writer = new ArrayBufferWriter<byte>();
        var options = new NatsOptions { Name = "api-1", User = "fleet", Password = "secret" };

        ProtocolWriter.WriteConnect(writer, options, "1.2.3");

        var text = Text(writer);
        Assert.StartsWith("CONNECT {", text, StringComparison.Ordinal);
        Assert.EndsWith("}\r\n", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text["CONNECT ".Length..^2]);
        var root = json.RootElement;
        Assert.False(root.GetProperty("verbose").GetBoolean());
        Assert.False(root.GetProperty("pedantic").GetBoolean());
        Assert.True(root.GetProperty("headers").GetBoolean());
        Assert.True(root.GetProperty("no_responders").GetBoolean());
        Assert.Equal(1, root.GetProperty("protocol").GetInt32());
        Assert.Equal("api-1", root.GetProperty("name").GetString());
        Assert.Equal("C#", root.GetProperty("lang").GetString());
        Assert.Equal("1.2.3", root.GetProperty("version").GetString());
        Assert.Equal("fleet", root.GetProperty("user").GetString());
        Assert.Equal("secret", root.GetProperty("pass").GetString());
        Assert.False(root.TryGetProperty("auth_token", out _));
    }

    [Fact]
    public void ConnectWritesTokenWithoutUser()
    {
        var writer = new ArrayBufferWriter<byte>();

        ProtocolWriter.WriteConnect(writer, new NatsOptions { Token = "t0k" }, "1.0.0");

        using var json = JsonDocument.Parse(Text(writer)["CONNECT ".Length..^2]);
        Assert.Equal("t0k", json.RootElement.GetProperty("auth_token").GetString());
        Assert.False(json.RootElement.TryGetProperty("user", out _));
    }

    private static string Text(ArrayBufferWriter<byte> writer) => Encoding.UTF8.GetString(writer.WrittenSpan);
}
