using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Api.Pipeline;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Accounts;

/// <summary>
/// Issues compact HS256 JWTs (RFC 7519) with the BCL's HMACSHA256. Every worker, this one included, verifies them
/// with Fleet.Hosting's BearerTokenVerifier, bound to the same Api:JwtKey and Api:JwtIssuer.
/// </summary>
internal sealed class JwtTokenService
{
    // {"alg":"HS256","typ":"JWT"}: fixed, so issued tokens share one header segment.
    private static readonly string HeaderSegment = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

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
}
