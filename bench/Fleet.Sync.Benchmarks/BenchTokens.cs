using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fleet.Sync.Benchmarks;

/// <summary>The shared signing key, and tokens in the API's format for the pull-only accounts the seeder invents.</summary>
internal static class BenchTokens
{
    public const string Key = "bench-signing-key-that-is-long-enough-0123456789";

    /// <summary>An HS256 token with iss fleet-api and sub = <paramref name="accountId"/>, valid for two hours.</summary>
    public static string Create(long accountId)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "fleet-api",
            ["sub"] = accountId.ToString(CultureInfo.InvariantCulture),
            ["role"] = "user",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TimeSpan.FromHours(2)).ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }
}
