using System.Text.Json.Serialization;

namespace Fleet.Nats.JetStream;

/// <summary>The body of a <c>CONSUMER.MSG.NEXT</c> pull request.</summary>
internal sealed record NatsJSPullRequest
{
    /// <summary>Most messages the server may send for this request.</summary>
    public int Batch { get; init; }

    /// <summary>How long the server keeps the request open; it answers 408 when the time is up.</summary>
    [JsonConverter(typeof(NatsJSNanosecondsConverter))]
    public TimeSpan Expires { get; init; }

    /// <summary>Answer 404 at once instead of waiting when nothing is pending.</summary>
    public bool NoWait { get; init; }
}
