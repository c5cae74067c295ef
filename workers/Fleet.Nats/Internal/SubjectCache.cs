using System.Text;

namespace Fleet.Nats.Internal;

/// <summary>
/// The last MSG subject a connection's read loop turned into a string. Subscribers mostly receive one subject over
/// and over, so comparing the bytes with it saves a string per message (the largest allocation of a delivered
/// 16-byte message, bench/RESULTS.md). A miss costs the comparison, which stops at the first differing byte.
/// Used by the read loop alone, so it needs no synchronisation.
/// </summary>
internal sealed class SubjectCache
{
    private string? _last;

    /// <summary>The subject for these UTF-8 bytes: the previous string when they match it, else a new one.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_last is not null && Ascii.Equals(utf8, _last))
        {
            return _last;
        }

        return _last = Encoding.UTF8.GetString(utf8);
    }
}
