using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// Checks the API's HS256 bearer tokens (signature in constant time, alg, issuer, expiry) and yields the account id.
/// Sync keeps its own copy because workers never reference workers.
/// </summary>
internal sealed class BearerTokenVerifier(IOptions<SyncTokenOptions> options, TimeProvider time)
{
    // Instance clocks in one region differ by far less; the API allows the same.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.JwtKey);
    private readonly string _issuer = options.Value.JwtIssuer;

    public long? Verify(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length > 4096)
        {
            return null;
        }

        var parts = authorization[Scheme.Length..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(Base64Url.DecodeFromChars(parts[2]), expected))
            {
                return null;
            }

            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.GetProperty("alg").GetString() != "HS256")
            {
                return null;
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = payload.RootElement;
            if (root.GetProperty("iss").GetString() != _issuer
                || time.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()) + ClockSkew)
            {
                return null;
            }

            return long.TryParse(root.GetProperty("sub").GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id
                : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
