using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fleet.Nats.JetStream;

/// <summary>
/// Where a JetStream message came from and how often it was delivered, as the server encodes it in the
/// message's reply (ack) subject. Two layouts exist:
/// <list type="bullet">
/// <item>v1 (9 tokens): <c>$JS.ACK.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;stream seq&gt;.&lt;consumer seq&gt;.&lt;timestamp&gt;.&lt;pending&gt;</c></item>
/// <item>v2 (11 or more): <c>$JS.ACK.&lt;domain&gt;.&lt;account hash&gt;.&lt;stream&gt;.&lt;consumer&gt;.&lt;delivered&gt;.&lt;stream seq&gt;.&lt;consumer seq&gt;.&lt;timestamp&gt;.&lt;pending&gt;.&lt;random&gt;…</c>,
/// with <c>_</c> as the domain when there is none. Tokens past the pending count are reserved for later
/// servers and ignored.</item>
/// </list>
/// </summary>
public sealed record NatsJSMsgMetadata
{
    private const int V1TokenCount = 9;

    // v2 servers send 12 tokens today; the twelfth is a random token and the layout promises that new
    // tokens only ever go at the end, so 11 is the least we need and more is fine.
    private const int V2MinTokenCount = 11;

    // One more slot than the widest layout: Split puts whatever is left into the last slot, which keeps a
    // future subject with extra tokens parseable without allocating.
    private const int MaxTokens = 13;

    /// <summary>The JetStream domain of the stream, or null when the server runs without one.</summary>
    public string? Domain { get; init; }

    /// <summary>The stream that stores the message.</summary>
    public required string Stream { get; init; }

    /// <summary>The consumer that delivered the message.</summary>
    public required string Consumer { get; init; }

    /// <summary>How many times the message has been delivered, this delivery included (1 for the first).</summary>
    public ulong NumDelivered { get; init; }

    /// <summary>The message's sequence in the stream.</summary>
    public ulong StreamSequence { get; init; }

    /// <summary>The consumer's delivery sequence; it grows with every delivery, redeliveries included.</summary>
    public ulong ConsumerSequence { get; init; }

    /// <summary>When the stream stored the message.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>How many messages matching the consumer were still waiting when this one was delivered.</summary>
    public ulong NumPending { get; init; }

    /// <summary>Parses the reply subject of a message a JetStream consumer delivered.</summary>
    /// <param name="replySubject">The message's reply subject, <c>$JS.ACK.…</c>.</param>
    /// <param name="metadata">The parsed metadata, or null when the subject is not an ack subject.</param>
    /// <returns>True when <paramref name="replySubject"/> is a v1 or v2 ack subject.</returns>
    public static bool TryParse(string? replySubject, [NotNullWhen(true)] out NatsJSMsgMetadata? metadata)
    {
        metadata = null;
        if (string.IsNullOrEmpty(replySubject))
        {
            return false;
        }

        var subject = replySubject.AsSpan();
        Span<Range> tokens = stackalloc Range[MaxTokens];
        var count = subject.Split(tokens, '.');
        if (count < V1TokenCount || !subject[tokens[0]].SequenceEqual("$JS") || !subject[tokens[1]].SequenceEqual("ACK"))
        {
            return false;
        }

        // Index of the stream token; the rest of the layout follows it in the same order in both versions.
        int first;
        string? domain = null;
        if (count == V1TokenCount)
        {
            first = 2;
        }
        else if (count >= V2MinTokenCount)
        {
            first = 4;
            var domainToken = subject[tokens[2]];
            if (domainToken.IsEmpty)
            {
                return false;
            }

            domain = domainToken.SequenceEqual("_") ? null : domainToken.ToString();
        }
        else
        {
            return false;
        }

        var stream = subject[tokens[first]];
        var consumer = subject[tokens[first + 1]];
        if (stream.IsEmpty
            || consumer.IsEmpty
            || !TryParseNumber(subject[tokens[first + 2]], out var delivered)
            || !TryParseNumber(subject[tokens[first + 3]], out var streamSequence)
            || !TryParseNumber(subject[tokens[first + 4]], out var consumerSequence)
            || !TryParseNumber(subject[tokens[first + 5]], out var timestampNanoseconds)
            || !TryParseNumber(subject[tokens[first + 6]], out var pending))
        {
            return false;
        }

        metadata = new NatsJSMsgMetadata
        {
            Domain = domain,
            Stream = stream.ToString(),
            Consumer = consumer.ToString(),
            NumDelivered = delivered,
            StreamSequence = streamSequence,
            ConsumerSequence = consumerSequence,
            // Even ulong.MaxValue nanoseconds (year 2554) fits DateTimeOffset, so this cannot overflow.
            Timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)(timestampNanoseconds / 100)),
            NumPending = pending,
        };
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> token, out ulong value) =>
        ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
