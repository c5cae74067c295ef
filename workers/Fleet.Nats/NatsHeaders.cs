using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Text;

namespace Fleet.Nats;

/// <summary>
/// The headers of a NATS message: the block <c>NATS/1.0[ status description]\r\nName: value\r\n...\r\n\r\n</c>.
/// Names compare case-insensitively and keep the order they were added in; a name may carry several values.
/// </summary>
public sealed class NatsHeaders : IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>
{
    private static readonly byte[] Version = "NATS/1.0"u8.ToArray();

    // Headers are a handful of entries, so a list scanned linearly beats a dictionary and keeps wire order.
    private readonly List<KeyValuePair<string, List<string>>> _entries = [];

    /// <summary>Creates an empty header block.</summary>
    public NatsHeaders()
    {
    }

    private NatsHeaders(int? statusCode, string? statusDescription)
    {
        StatusCode = statusCode;
        StatusDescription = statusDescription;
    }

    /// <summary>The status code of the version line (<c>503</c> in <c>NATS/1.0 503 No Responders</c>), or null.</summary>
    public int? StatusCode { get; }

    /// <summary>The description after the status code, or null.</summary>
    public string? StatusDescription { get; }

    /// <summary>The number of distinct header names.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets the first value of a header (null when absent); setting replaces every value.</summary>
    public string? this[string name]
    {
        get => TryGetValue(name, out var value) ? value : null;
        set
        {
            ValidateName(name);
            var index = IndexOf(name);
            if (value is null)
            {
                if (index >= 0)
                {
                    _entries.RemoveAt(index);
                }

                return;
            }

            ValidateValue(value);
            if (index >= 0)
            {
                _entries[index] = new(_entries[index].Key, [value]);
            }
            else
            {
                _entries.Add(new(name, [value]));
            }
        }
    }

    /// <summary>Adds a value to a header, keeping the values it already has.</summary>
    public void Add(string name, string value)
    {
        ValidateName(name);
        ValidateValue(value);
        var index = IndexOf(name);
        if (index >= 0)
        {
            _entries[index].Value.Add(value);
        }
        else
        {
            _entries.Add(new(name, [value]));
        }
    }

    /// <summary>Gets the first value of a header.</summary>
    public bool TryGetValue(string name, out string? value)
    {
        var index = IndexOf(name);
        value = index >= 0 ? _entries[index].Value[0] : null;
        return index >= 0;
    }

    /// <summary>Gets every value of a header, or an empty list.</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        var index = IndexOf(name);
        return index >= 0 ? _entries[index].Value : [];
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator()
    {
        foreach (var entry in _entries)
        {
            yield return new(entry.Key, entry.Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The size of the block as <see cref="WriteTo"/> writes it (no status line: clients never send one).</summary>
    internal int GetSerializedLength()
    {
        var length = Version.Length + 2;
        foreach (var entry in _entries)
        {
            var nameLength = Encoding.UTF8.GetByteCount(entry.Key);
            foreach (var value in entry.Value)
            {
                length += nameLength + 2 + Encoding.UTF8.GetByteCount(value) + 2;
            }
        }

        return length + 2;
    }

    /// <summary>Writes the block, returning the number of bytes written.</summary>
    internal int WriteTo(IBufferWriter<byte> writer)
    {
        var length = GetSerializedLength();
        var span = writer.GetSpan(length);
        Version.CopyTo(span);
        var position = Version.Length;
        span[position++] = (byte)'\r';
        span[position++] = (byte)'\n';
        foreach (var entry in _entries)
        {
            foreach (var value in entry.Value)
            {
                position += Encoding.UTF8.GetBytes(entry.Key, span[position..]);
                span[position++] = (byte)':';
                span[position++] = (byte)' ';
                position += Encoding.UTF8.GetBytes(value, span[position..]);
                span[position++] = (byte)'\r';
                span[position++] = (byte)'\n';
            }
        }

        span[position++] = (byte)'\r';
        span[position++] = (byte)'\n';
        writer.Advance(position);
        return position;
    }

    /// <summary>Parses a header block received in an HMSG.</summary>
    /// <exception cref="NatsProtocolException">The block does not start with <c>NATS/1.0</c>.</exception>
    internal static NatsHeaders Parse(ReadOnlySequence<byte> block)
    {
        var reader = new SequenceReader<byte>(block);
        if (!reader.TryReadTo(out ReadOnlySpan<byte> versionLine, "\r\n"u8) || !versionLine.StartsWith(Version))
        {
            throw new NatsProtocolException("A header block does not start with NATS/1.0.");
        }

        var headers = ParseVersionLine(versionLine[Version.Length..]);
        while (reader.TryReadTo(out ReadOnlySpan<byte> line, "\r\n"u8) && !line.IsEmpty)
        {
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                // Tolerated like the Go client does: a malformed line must not make the whole message unreadable.
                continue;
            }

            var name = Encoding.UTF8.GetString(line[..colon].Trim((byte)' '));
            var value = Encoding.UTF8.GetString(line[(colon + 1)..].Trim((byte)' '));
            var index = headers.IndexOf(name);
            if (index >= 0)
            {
                headers._entries[index].Value.Add(value);
            }
            else
            {
                headers._entries.Add(new(name, [value]));
            }
        }

        return headers;
    }

    private static NatsHeaders ParseVersionLine(ReadOnlySpan<byte> rest)
    {
        rest = rest.Trim((byte)' ');
        if (rest.IsEmpty)
        {
            return new NatsHeaders();
        }

        var space = rest.IndexOf((byte)' ');
        var codeBytes = space < 0 ? rest : rest[..space];
        if (!Utf8Parser.TryParse(codeBytes, out int code, out var consumed) || consumed != codeBytes.Length)
        {
            return new NatsHeaders(null, Encoding.UTF8.GetString(rest));
        }

        var description = space < 0 ? null : Encoding.UTF8.GetString(rest[(space + 1)..].Trim((byte)' '));
        return new NatsHeaders(code, string.IsNullOrEmpty(description) ? null : description);
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (c is ':' or ' ' or '\r' or '\n' || char.IsControl(c))
            {
                throw new ArgumentException($"The header name '{name}' contains ':', a space or a control character.", nameof(name));
            }
        }
    }

    private static void ValidateValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A header value may not contain CR or LF.", nameof(value));
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (string.Equals(_entries[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
