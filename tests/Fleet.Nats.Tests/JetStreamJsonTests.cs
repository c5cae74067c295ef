using System.Text;
using System.Text.Json;
using Fleet.Nats.JetStream;

namespace Fleet.Nats.Tests;

public class JetStreamJsonTests
{
    [Fact]
    public void StreamConfigIsSnakeCaseAndLeavesServerDefaultsOut()
    {
        var config = new NatsJSStreamConfig("ORDERS", "orders.>", "refunds.*")
        {
            Storage = NatsJSStorageType.Memory,
            Retention = NatsJSRetentionPolicy.WorkQueue,
            DuplicateWindow = TimeSpan.FromSeconds(30),
            MaxMsgsPerSubject = 10,
        };

        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(config, NatsJSJsonContext.Default.NatsJSStreamConfig));
        var root = json.RootElement;

        Assert.Equal("ORDERS", root.GetProperty("name").GetString());
        Assert.Equal(["orders.>", "refunds.*"], root.GetProperty("subjects").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("memory", root.GetProperty("storage").GetString());
        Assert.Equal("workqueue", root.GetProperty("retention").GetString());
        Assert.Equal(30_000_000_000L, root.GetProperty("duplicate_window").GetInt64());
        Assert.Equal(10, root.GetProperty("max_msgs_per_subject").GetInt64());
        Assert.Equal(
            ["name", "subjects", "retention", "storage", "max_msgs_per_subject", "duplicate_window"],
            root.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void ConsumerConfigSendsExplicitAckByDefault()
    {
        var request = new NatsJSConsumerCreateRequest
        {
            StreamName = "ORDERS",
            Config = new NatsJSConsumerConfig("billing")
            {
                FilterSubject = "orders.created",
                AckWait = TimeSpan.FromSeconds(1),
                MaxDeliver = 5,
                DeliverPolicy = NatsJSDeliverPolicy.ByStartSequence,
                OptStartSeq = 7,
            },
        };

        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(request, NatsJSJsonContext.Default.NatsJSConsumerCreateRequest));
        var root = json.RootElement;
        var config = root.GetProperty("config");

        Assert.Equal("ORDERS", root.GetProperty("stream_name").GetString());
        Assert.Equal("billing", config.GetProperty("durable_name").GetString());
        Assert.Equal("orders.created", config.GetProperty("filter_subject").GetString());
        Assert.Equal("explicit", config.GetProperty("ack_policy").GetString());
        Assert.Equal(1_000_000_000L, config.GetProperty("ack_wait").GetInt64());
        Assert.Equal(5, config.GetProperty("max_deliver").GetInt32());
        Assert.Equal("by_start_sequence", config.GetProperty("deliver_policy").GetString());
        Assert.Equal(7UL, config.GetProperty("opt_start_seq").GetUInt64());
        Assert.False(config.TryGetProperty("replay_policy", out _));
    }

    [Fact]
    public void PullRequestCarriesExpiresInNanoseconds()
    {
        var waiting = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(
            new NatsJSPullRequest { Batch = 10, Expires = TimeSpan.FromMilliseconds(1500) },
            NatsJSJsonContext.Default.NatsJSPullRequest));
        var noWait = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(
            new NatsJSPullRequest { Batch = 1, NoWait = true },
            NatsJSJsonContext.Default.NatsJSPullRequest));

        Assert.Equal("""{"batch":10,"expires":1500000000}""", waiting);
        Assert.Equal("""{"batch":1,"no_wait":true}""", noWait);
    }

    [Fact]
    public void ParsesStreamInfoWithNanosecondTimestamps()
    {
        // The shape nats-server 2.9 answers to STREAM.CREATE, trimmed of fields the models do not keep.
        var json = """
            {"type":"io.nats.jetstream.api.v1.stream_create_response","config":{"name":"ORDERS","subjects":["orders.>"],
            "retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,
            "max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,
            "sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false,"allow_direct":false,"mirror_direct":false},
            "created":"2026-11-21T22:25:27.123456789Z","state":{"messages":3,"bytes":120,"first_seq":1,
            "first_ts":"2026-11-21T22:25:28.5Z","last_seq":3,"last_ts":"2026-11-21T22:25:29.000000001Z","consumer_count":1},
            "did_create":true}
            """u8;

        var info = NatsJSApiResponse.Parse(json, NatsJSJsonContext.Default.NatsJSStreamInfo);

        Assert.Equal("ORDERS", info.Config.Name);
        Assert.Equal(["orders.>"], info.Config.Subjects!);
        Assert.Equal(-1, info.Config.MaxMsgs);
        Assert.Equal(NatsJSStorageType.File, info.Config.Storage);
        Assert.Equal(TimeSpan.FromMinutes(2), info.Config.DuplicateWindow);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 22, 25, 27, TimeSpan.Zero).AddTicks(1_234_567), info.Created);
        Assert.Equal(3UL, info.State.Messages);
        Assert.Equal(3UL, info.State.LastSeq);
        Assert.Equal(1, info.State.ConsumerCount);
    }

    [Fact]
    public void ParsesPubAck()
    {
        var ack = NatsJSApiResponse.Parse("""{"stream":"ORDERS","seq":42,"duplicate":true}"""u8, NatsJSJsonContext.Default.NatsJSPubAck);

        Assert.Equal(new NatsJSPubAck { Stream = "ORDERS", Seq = 42, Duplicate = true }, ack);
    }

    [Fact]
    public void ThrowsTheServersError()
    {
        var json = """
            {"type":"io.nats.jetstream.api.v1.stream_create_response",
             "error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}
            """u8.ToArray();

        var ex = Assert.Throws<NatsJSApiException>(() => NatsJSApiResponse.Parse(json, NatsJSJsonContext.Default.NatsJSStreamInfo));

        Assert.Equal(400, ex.Code);
        Assert.Equal(10058, ex.ErrorCode);
        Assert.Equal("stream name already in use with a different configuration", ex.Description);
        Assert.Contains("10058", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindsTheErrorAfterOtherFields()
    {
        var json = """{"stream":"ORDERS","nested":{"error":{"code":1}},"error":{"code":503,"description":"JetStream system temporarily unavailable"}}"""u8.ToArray();

        var ex = Assert.Throws<NatsJSApiException>(() => NatsJSApiResponse.Parse(json, NatsJSJsonContext.Default.NatsJSPubAck));

        Assert.Equal(503, ex.Code);
        Assert.Equal(0, ex.ErrorCode);
    }

    [Fact]
    public void IgnoresANullError()
    {
        var ack = NatsJSApiResponse.Parse("""{"error":null,"stream":"S","seq":1}"""u8, NatsJSJsonContext.Default.NatsJSPubAck);

        Assert.Equal(1UL, ack.Seq);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"stream\":\"S\",\"seq\":")]
    [InlineData("{\"stream\":\"S\",\"seq\":-1}")]
    public void WrapsMalformedAnswers(string json)
    {
        // Throws<T> checks the exact type: a malformed answer is not an API error the server reported.
        var ex = Assert.Throws<NatsJSException>(() => NatsJSApiResponse.Parse(Encoding.UTF8.GetBytes(json), NatsJSJsonContext.Default.NatsJSPubAck));

        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
    }
}
