using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Fleet.Chat;

/// <summary>
/// Verifies the API's HS256 bearer tokens: signature (constant-time), <c>alg</c>, issuer and expiry. Only the
/// subject is needed here. Written against the claims Fleet.Api issues (workers never reference workers); if a
/// third worker needs this, it belongs in a shared library.
/// </summary>
internal sealed class TokenVerifier(IOptions<ChatTokenOptions> options, TimeProvider time)
{
    // The same tolerance the API applies: instance clocks in one region differ by well under this.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.JwtKey);
    private readonly string _issuer = options.Value.JwtIssuer;

    /// <summary>Returns the token's subject (the account id), or null with the reason.</summary>
    public string? Verify(string token, out string failure)
    {
        failure = string.Empty;
        var parts = token.Split('.');
        if (parts.Length != 3 || token.Length > 4096)
        {
            failure = "The token is not a compact JWT.";
            return null;
        }

        var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            failure = "The token signature is invalid.";
            return null;
        }

        try
        {
            if (!TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var payloadBytes))
            {
                failure = "The token is not base64url.";
                return null;
            }

            using var header = JsonDocument.Parse(headerBytes);
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "HS256")
            {
                failure = "The token algorithm is not HS256.";
                return null;
            }

            using var payload = JsonDocument.Parse(payloadBytes);
            var root = payload.RootElement;
            if (root.GetProperty("iss").GetString() != _issuer)
            {
                failure = "The token issuer is not accepted.";
                return null;
            }

            if (time.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()) + ClockSkew)
            {
                failure = "The token has expired.";
                return null;
            }

            var subject = root.GetProperty("sub").GetString();
            if (string.IsNullOrEmpty(subject) || subject.Length > 64)
            {
                failure = "The token has no usable subject.";
                return null;
            }

            return subject;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            failure = "The token payload is invalid.";
            return null;
        }
    }

    private static bool TryDecode(string segment, out byte[] bytes)
    {
        bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, bytes, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
