using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fleet.Sync.IntegrationTests;

/// <summary>Mints tokens in the API's format (HS256, iss fleet-api, sub = account id) with the shared test key.</summary>
public static class TestTokens
{
    public const string Key = "test-signing-key-that-is-long-enough-0123456789";

    public static string Create(long accountId, string key = Key)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "fleet-api",
            ["sub"] = accountId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["role"] = "user",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TimeSpan.FromHours(1)).ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }
}
