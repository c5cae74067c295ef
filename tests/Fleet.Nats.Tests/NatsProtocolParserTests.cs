using System.Buffers;
using System.Text;
using Fleet.Nats.Internal;

namespace Fleet.Nats.Tests;

public class NatsProtocolParserTests
{
    // Every server operation, HMSG with CRLF inside headers-adjacent payload, empty payloads and a reply subject.
    private const string AllFrames =
        "INFO {\"server_id\":\"S1\",\"max_payload\":1048576,\"headers\":true}\r\n" +
        "+OK\r\n" +
        "PING\r\n" +
        "PONG\r\n" +
        "MSG foo.bar 7 5\r\nhello\r\n" +
        "MSG foo.bar 7 _INBOX.abc.1 0\r\n\r\n" +
        "HMSG orders.new 12 _INBOX.x.2 24 32\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nab\r\ncd\r\n\r\n" +
        "HMSG _INBOX.y.3 4 16 16\r\nNATS/1.0 503\r\n\r\n\r\n" +
        "MSG data 9 6\r\n\r\n\r\n\r\n\r\n" +
        "-ERR 'Permissions Violation for Publish to \"secret\"'\r\n";

    private static readonly string[] ExpectedFrames =
    [
        "Info|{\"server_id\":\"S1\",\"max_payload\":1048576,\"headers\":true}",
        "Ok",
        "Ping",
        "Pong",
        "Msg|foo.bar|7||<>|<hello>",
        "Msg|foo.bar|7|_INBOX.abc.1|<>|<>",
        "HMsg|orders.new|12|_INBOX.x.2|<NATS/1.0\r\nA: b\r\nC: d\r\n\r\n>|<ab\r\ncd\r\n>",
        "HMsg|_INBOX.y.3|4||<NATS/1.0 503\r\n\r\n>|<>",
        "Msg|data|9||<>|<\r\n\r\n\r\n>",
        "Err|Permissions Violation for Publish to \"secret\"",
    ];

    [Fact]
    public void ParsesEveryFrameTypeFromOneBuffer()
    {
        var frames = ParseIncrementally([Encoding.UTF8.GetBytes(AllFrames)]);

        Assert.Equal(ExpectedFrames, frames);
    }

    [Fact]
    public void ParsesFramesSplitInTwoAtEveryByte()
    {
        var bytes = Encoding.UTF8.GetBytes(AllFrames);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var frames = ParseIncrementally([bytes[..split], bytes[split..]]);
            Assert.True(ExpectedFrames.SequenceEqual(frames), $"Split at {split} parsed as: {string.Join(" / ", frames)}");
        }
    }

    [Fact]
    public void ParsesFramesSplitInThreeAtEveryPairOfBytes()
    {
        var bytes = Encoding.UTF8.GetBytes(AllFrames);
        for (var first = 0; first <= bytes.Length; first++)
        {
            for (var second = first; second <= bytes.Length; second++)
            {
                var frames = ParseIncrementally([bytes[..first], bytes[first..second], bytes[second..]]);
                Assert.True(ExpectedFrames.SequenceEqual(frames), $"Split at {first},{second} parsed as: {string.Join(" / ", frames)}");
            }
        }
    }

    [Fact]
    public void ParsesFramesHeldInManySegmentsAtOnce()
    {
        // A pipe may hand over everything received so far as one sequence of many small segments.
        var bytes = Encoding.UTF8.GetBytes(AllFrames);
        for (var size = 1; size <= 17; size++)
        {
            var parts = bytes.Chunk(size).Select(c => (ReadOnlyMemory<byte>)c).ToArray();
            var buffer = SegmentedSequence.Create(parts);
            var frames = new List<string>();
            while (NatsProtocolParser.TryRead(ref buffer, out var frame))
            {
                frames.Add(Describe(frame));
            }

            Assert.Equal(ExpectedFrames, frames);
            Assert.Equal(0, buffer.Length);
        }
    }

    [Fact]
    public void IncompleteFrameConsumesNothing()
    {
        var buffer = new ReadOnlySequence<byte>("MSG foo 1 10\r\nhello"u8.ToArray());

        Assert.False(NatsProtocolParser.TryRead(ref buffer, out _));
        Assert.Equal(19, buffer.Length);
    }

    [Fact]
    public void PayloadWithoutTrailingCrLfIsAProtocolError()
    {
        var buffer = new ReadOnlySequence<byte>("MSG foo 1 2\r\nabcd\r\n"u8.ToArray());

        Assert.Throws<NatsProtocolException>(() => NatsProtocolParser.TryRead(ref buffer, out _));
    }

    [Theory]
    [InlineData("MSG foo 1\r\n")]
    [InlineData("MSG foo x 3\r\n")]
    [InlineData("MSG foo 1 -3\r\n")]
    [InlineData("HMSG foo 1 10 5\r\n")]
    [InlineData("HMSG foo 1 3\r\n")]
    [InlineData("BOGUS\r\n")]
    public void MalformedControlLineIsAProtocolError(string line)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line));

        Assert.Throws<NatsProtocolException>(() => NatsProtocolParser.TryRead(ref buffer, out _));
    }

    [Fact]
    public void EndlessControlLineIsAProtocolError()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[NatsProtocolParser.MaxControlLineLength + 1]);

        Assert.Throws<NatsProtocolException>(() => NatsProtocolParser.TryRead(ref buffer, out _));
    }

    [Fact]
    public void ParsesLargePayloadArrivingInChunks()
    {
        var payload = new byte[3 * 1024 * 1024];
        new Random(42).NextBytes(payload);
        var bytes = Encoding.ASCII.GetBytes($"MSG big 3 {payload.Length}\r\n").Concat(payload).Concat("\r\nPING\r\n"u8.ToArray()).ToArray();
        var parts = bytes.Chunk(64 * 1024).Select(c => (ReadOnlyMemory<byte>)c).ToArray();

        var received = new List<ServerFrame>();
        var pending = new List<ReadOnlyMemory<byte>>();
        byte[]? payloadSeen = null;
        foreach (var part in parts)
        {
            pending.Add(part);
            var buffer = SegmentedSequence.Create([.. pending]);
            while (NatsProtocolParser.TryRead(ref buffer, out var frame))
            {
                received.Add(frame);
                if (frame.Op == ServerOp.Msg)
                {
                    payloadSeen = frame.Payload.ToArray();
                }
            }

            pending = [.. Remaining(buffer)];
        }

        Assert.Equal([ServerOp.Msg, ServerOp.Ping], received.Select(f => f.Op));
        Assert.Equal(payload, payloadSeen);
    }

    [Fact]
    public void OperationNamesAreCaseInsensitive()
    {
        var buffer = new ReadOnlySequence<byte>("ping\r\nmsg a 1 1\r\nx\r\n"u8.ToArray());

        Assert.True(NatsProtocolParser.TryRead(ref buffer, out var ping));
        Assert.True(NatsProtocolParser.TryRead(ref buffer, out var msg));
        Assert.Equal(ServerOp.Ping, ping.Op);
        Assert.Equal(ServerOp.Msg, msg.Op);
    }

    [Fact]
    public void SubjectCacheReusesTheStringOfARepeatedSubjectOnly()
    {
        var subjects = new SubjectCache();
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(
            "MSG room.1 1 1\r\na\r\nMSG room.1 1 1\r\nb\r\nMSG room.10 1 1\r\nc\r\nMSG room.1 1 1\r\nd\r\n" +
            "MSG caf\u00e9 2 1\r\ne\r\nMSG caf\u00e9 2 1\r\nf\r\n"));
        var frames = new List<ServerFrame>();
        while (NatsProtocolParser.TryRead(ref buffer, out var frame, subjects))
        {
            frames.Add(frame);
        }

        Assert.Equal(["room.1", "room.1", "room.10", "room.1", "caf\u00e9", "caf\u00e9"], frames.Select(f => f.Subject));
        Assert.Same(frames[0].Subject, frames[1].Subject);
        Assert.NotSame(frames[1].Subject, frames[3].Subject);
    }

    /// <summary>Feeds the parts one by one, keeping what was not consumed, as the read loop does with a pipe.</summary>
    private static List<string> ParseIncrementally(IEnumerable<byte[]> parts)
    {
        var frames = new List<string>();
        var pending = new List<ReadOnlyMemory<byte>>();
        foreach (var part in parts)
        {
            pending.Add(part);
            var buffer = SegmentedSequence.Create([.. pending]);
            while (NatsProtocolParser.TryRead(ref buffer, out var frame))
            {
                frames.Add(Describe(frame));
            }

            pending = [.. Remaining(buffer)];
        }

        Assert.DoesNotContain(pending, p => !p.IsEmpty);
        return frames;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Remaining(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            yield return segment;
        }
    }

    private static string Describe(ServerFrame frame) => frame.Op switch
    {
        ServerOp.Info => $"Info|{Encoding.UTF8.GetString(frame.InfoJson!)}",
        ServerOp.Err => $"Err|{frame.Text}",
        ServerOp.Msg or ServerOp.HMsg =>
            $"{frame.Op}|{frame.Subject}|{frame.Sid}|{frame.ReplyTo}|<{Encoding.UTF8.GetString(frame.Headers.ToArray())}>|<{Encoding.UTF8.GetString(frame.Payload.ToArray())}>",
        _ => frame.Op.ToString(),
    };
}
