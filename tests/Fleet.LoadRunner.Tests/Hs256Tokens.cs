using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fleet.LoadRunner.Tests;

/// <summary>Bearer tokens in the API's format (HS256 JWT, issuer fleet-api, sub = account id) signed with a test key.</summary>
internal static class Hs256Tokens
{
    public const string Key = "load-runner-tests-signing-key-0123456789abcdef";

    public static string For(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "fleet-api",
            ["sub"] = subject,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        }));
        var signed = header + "." + claims;
        return signed + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.ASCII.GetBytes(signed)));
    }
}
