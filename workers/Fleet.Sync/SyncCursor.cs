using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Fleet.Sync;

/// <summary>
/// The opaque pull cursor: base64url of a format byte, the last change id (big-endian) and a truncated HMAC over
/// both with the shared key. Clients cannot forge or edit one; a tampered or foreign cursor is a 400.
/// </summary>
internal sealed class SyncCursor(byte[] key)
{
    private const byte FormatVersion = 1;

    // 64 bits of MAC: forging needs ~2^63 online guesses, each a request; longer only lengthens every URL.
    private const int MacLength = 8;
    private const int Length = 1 + 8 + MacLength;

    public string Encode(long changeId)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..9], changeId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, bytes[..9], mac);
        mac[..MacLength].CopyTo(bytes[9..]);
        return Base64Url.EncodeToString(bytes);
    }

    public bool TryDecode(string? cursor, out long changeId)
    {
        changeId = 0;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }

        if (cursor.Length > 64)
        {
            return false;
        }

        // OperationStatus (not the Try/throwing overloads): invalid characters are an answer here, not an exception.
        Span<byte> bytes = stackalloc byte[48];
        if (Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Length || bytes[0] != FormatVersion)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, bytes[..9], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], bytes[9..Length]))
        {
            return false;
        }

        changeId = BinaryPrimitives.ReadInt64BigEndian(bytes[1..9]);
        return changeId >= 0;
    }
}
