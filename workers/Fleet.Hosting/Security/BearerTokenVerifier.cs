using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting.Security;

/// <summary>
/// Verifies the compact HS256 JWTs (RFC 7519) the API issues: signature in constant time, <c>alg</c> exactly
/// HS256 (so <c>none</c> or a public-key confusion cannot slip through), issuer and expiry. One copy for every
/// worker; issuing stays in the API.
/// </summary>
public sealed class BearerTokenVerifier
{
    /// <summary>Longer tokens are refused before any work: the API's are a few hundred characters.</summary>
    public const int MaxTokenLength = 4096;

    private const string Scheme = "Bearer ";

    // Clocks of instances in one region differ by well under this; more would stretch every token's life.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly byte[] _key;
    private readonly string _issuer;
    private readonly TimeProvider _time;

    /// <summary>Creates a verifier for the configured key and issuer.</summary>
    /// <param name="options">The key and issuer shared with the API.</param>
    /// <param name="time">The clock expiry is checked against.</param>
    public BearerTokenVerifier(IOptions<BearerTokenOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _key = Encoding.UTF8.GetBytes(options.Value.JwtKey);
        _issuer = options.Value.JwtIssuer;
        _time = time;
    }

    /// <summary>Verifies an <c>Authorization</c> header value of the <c>Bearer</c> scheme (case-insensitive).</summary>
    /// <param name="authorization">The header value, or null when the request had none.</param>
    /// <param name="failure">Why the header was refused; empty on success.</param>
    /// <returns>The token's claims, or null.</returns>
    public BearerTokenClaims? VerifyAuthorization(string? authorization, out string failure)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            failure = "A bearer token is required.";
            return null;
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            failure = "Use the Bearer scheme.";
            return null;
        }

        return Verify(authorization[Scheme.Length..].Trim(), out failure);
    }

    /// <summary>Verifies a compact token.</summary>
    /// <param name="token">The token without a scheme.</param>
    /// <param name="failure">Why the token was refused, in words fit for a 401 answer; empty on success.</param>
    /// <returns>The token's claims, or null.</returns>
    public BearerTokenClaims? Verify(string token, out string failure)
    {
        ArgumentNullException.ThrowIfNull(token);
        failure = string.Empty;
        var parts = token.Length > MaxTokenLength ? [] : token.Split('.');
        if (parts.Length != 3)
        {
            failure = "The token is not a compact JWT.";
            return null;
        }

        // The signature first: nothing of an unsigned token is parsed.
        var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            failure = "The token signature is invalid.";
            return null;
        }

        // Signed with our key, so the API wrote the JSON below; it is still parsed defensively.
        try
        {
            if (!TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var payloadBytes))
            {
                failure = "The token is not base64url.";
                return null;
            }

            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object
                || !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
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

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64());
            if (_time.GetUtcNow() > expiresAt + ClockSkew)
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

            var accountId = long.TryParse(subject, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : (long?)null;
            return new BearerTokenClaims(subject, accountId, OptionalString(root, "email"), OptionalString(root, "role"), expiresAt);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            failure = "The token payload is invalid.";
            return null;
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

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
