using System.Buffers.Binary;
using System.Buffers.Text;

namespace Fleet.Api.Pipeline;

/// <summary>
/// An opaque keyset cursor: the id of the last item returned. Lists are ordered by the primary key, which never
/// changes, so paging is stable while rows are inserted: nothing is returned twice and nothing before the
/// cursor is skipped. The version byte lets the format change without misreading old cursors.
/// </summary>
internal static class PageCursor
{
    private const byte FormatVersion = 1;

    public static string Encode(long lastId)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], lastId);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The id after which the page starts, or null for the first page; 400 for a cursor we did not make.</summary>
    public static long? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (cursor.Length <= 16
            && Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 9
            && bytes[0] == FormatVersion
            && BinaryPrimitives.ReadInt64BigEndian(bytes[1..9]) is var id and > 0)
        {
            return id;
        }

        throw new ApiProblemException(ApiProblem.Validation("cursor", "Is not a cursor this API returned."));
    }
}
