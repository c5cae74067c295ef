using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Api.Pipeline;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Accounts;

/// <summary>
/// Issues and verifies compact HS256 JWTs (RFC 7519) with the BCL's HMACSHA256. Only HS256 is accepted: the
/// header's <c>alg</c> is checked against it, so <c>none</c> or a public-key confusion cannot slip through.
/// </summary>
internal sealed class JwtTokenService
{
    // {"alg":"HS256","typ":"JWT"}: fixed, so issued tokens share one header segment.
    private static readonly string HeaderSegment = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

    // Clocks of instances in one region differ by well under this; more would stretch every token's life.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly byte[] _key;
    private readonly string _issuer;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public JwtTokenService(IOptions<ApiOptions> options, TimeProvider time)
    {
        _key = Encoding.UTF8.GetBytes(options.Value.JwtKey);
        _issuer = options.Value.JwtIssuer;
        _lifetime = options.Value.TokenLifetime;
        _time = time;
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(Caller caller)
    {
        var now = _time.GetUtcNow();
        var expires = now + _lifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = _issuer,
            ["sub"] = caller.AccountId.ToString(CultureInfo.InvariantCulture),
            ["email"] = caller.Email,
            ["role"] = caller.Role,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        });
        var signingInput = HeaderSegment + "." + Base64Url.EncodeToString(payload);
        var signature = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return (signingInput + "." + Base64Url.EncodeToString(signature), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>Verifies a token; returns the caller, or null with the reason.</summary>
    public Caller? Validate(string token, out string? failure)
    {
        failure = null;
        var parts = token.Split('.');
        if (parts.Length != 3 || token.Length > 4096)
        {
            failure = "The token is not a compact JWT.";
            return null;
        }

        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var expected = HMACSHA256.HashData(_key, signingInput);
        if (!TryDecode(parts[2], out var signature) || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            failure = "The token signature is invalid.";
            return null;
        }

        // The signature is ours, so the JSON below was produced by Issue; still parse defensively.
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

            var expires = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64());
            if (_time.GetUtcNow() > expires + ClockSkew)
            {
                failure = "The token has expired.";
                return null;
            }

            return new Caller(
                long.Parse(root.GetProperty("sub").GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
                root.GetProperty("email").GetString()!,
                root.GetProperty("role").GetString()!);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            failure = "The token payload is invalid.";
            return null;
        }
    }

    private static bool TryDecode(string segment, out byte[] bytes)
    {
        bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        var status = Base64Url.DecodeFromChars(segment, bytes, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
