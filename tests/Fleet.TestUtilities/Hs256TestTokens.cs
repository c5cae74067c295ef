using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fleet.TestUtilities;

/// <summary>
/// Mints bearer tokens in the API's format (HS256 JWT: iss, sub, email, role, iat, exp) so tests and benchmarks can
/// call a worker whose <c>BearerTokenVerifier</c> is configured with <see cref="Key"/>, without running the API to log in.
/// </summary>
public static class Hs256TestTokens
{
    /// <summary>The signing key to configure the workers with (<c>Api:JwtKey</c>).</summary>
    public const string Key = "test-signing-key-that-is-long-enough-0123456789";

    /// <summary>The issuer the workers accept by default.</summary>
    public const string Issuer = "fleet-api";

    /// <summary>A token for <paramref name="subject"/>, valid for <paramref name="lifetime"/> (one hour unless given; negative for an expired one).</summary>
    public static string Create(string subject, TimeSpan? lifetime = null, string key = Key, string issuer = Issuer)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["email"] = subject + "@example.com",
            ["role"] = "user",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>A token whose subject is <paramref name="accountId"/>, as the API issues them.</summary>
    public static string Create(long accountId, TimeSpan? lifetime = null, string key = Key) =>
        Create(accountId.ToString(CultureInfo.InvariantCulture), lifetime, key);
}
