using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Fleet.Hosting.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fleet.Hosting.Tests;

public sealed class BearerTokenVerifierTests
{
    private const string Key = "unit-test-signing-key-that-is-long-enough-0123";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TokenInTheApisFormatYieldsItsClaims()
    {
        var claims = Verifier().Verify(Token(), out var failure);

        Assert.NotNull(claims);
        Assert.Equal(string.Empty, failure);
        Assert.Equal("42", claims.Subject);
        Assert.Equal(42, claims.AccountId);
        Assert.Equal("writer@example.com", claims.Email);
        Assert.Equal("user", claims.Role);
        Assert.Equal(Now + TimeSpan.FromHours(1), claims.ExpiresAt);
    }

    [Fact]
    public void AuthorizationHeaderNeedsTheBearerSchemeInAnyCase()
    {
        var verifier = Verifier();

        Assert.Equal(42, verifier.VerifyAuthorization("bearer " + Token(), out _)?.AccountId);
        Assert.Equal(42, verifier.VerifyAuthorization("Bearer  " + Token() + " ", out _)?.AccountId);
        Assert.Null(verifier.VerifyAuthorization("Basic " + Token(), out var scheme));
        Assert.Equal("Use the Bearer scheme.", scheme);
        Assert.Null(verifier.VerifyAuthorization(null, out var missing));
        Assert.Equal("A bearer token is required.", missing);
    }

    [Fact]
    public void TamperedOrForeignSignaturesAreRefused()
    {
        var token = Token();
        var parts = token.Split('.');
        var otherPayload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims(sub: "1")));

        foreach (var bad in new[]
        {
            parts[0] + "." + otherPayload + "." + parts[2],
            token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1],
            Token(key: "another-key-that-is-long-enough-0123456789abc"),
            parts[0] + "." + parts[1] + ".",
            parts[0] + "." + parts[1] + ".not*base64",
        })
        {
            Assert.Null(Verifier().Verify(bad, out var failure));
            Assert.Equal("The token signature is invalid.", failure);
        }
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""["HS256"]""")]
    public void OnlyHs256IsAcceptedEvenWhenCorrectlySigned(string header)
    {
        Assert.Null(Verifier().Verify(Token(header: header), out var failure));
        Assert.Equal("The token algorithm is not HS256.", failure);
    }

    [Fact]
    public void WrongIssuerIsRefused()
    {
        Assert.Null(Verifier().Verify(Token(Claims(iss: "someone-else")), out var failure));
        Assert.Equal("The token issuer is not accepted.", failure);
    }

    [Fact]
    public void ExpiryAllowsThirtySecondsOfClockSkewAndNoMore()
    {
        var token = Token(Claims(exp: Now.ToUnixTimeSeconds()));

        Assert.NotNull(Verifier(Now + TimeSpan.FromSeconds(30)).Verify(token, out _));
        Assert.Null(Verifier(Now + TimeSpan.FromSeconds(31)).Verify(token, out var failure));
        Assert.Equal("The token has expired.", failure);
    }

    [Fact]
    public void SubjectThatIsNoAccountIdHasNoAccountId()
    {
        var claims = Verifier().Verify(Token(Claims(sub: "user-7")), out _);

        Assert.Equal("user-7", claims?.Subject);
        Assert.Null(claims?.AccountId);
        Assert.Null(Verifier().Verify(Token(Claims(sub: "0")), out _)?.AccountId);
        Assert.Null(Verifier().Verify(Token(Claims(sub: new string('1', 65))), out var failure));
        Assert.Equal("The token has no usable subject.", failure);
    }

    [Fact]
    public void MalformedTokensAreRefusedWithoutThrowing()
    {
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        foreach (var (token, expected) in new[]
        {
            ("abc", "The token is not a compact JWT."),
            ("a.b.c.d", "The token is not a compact JWT."),
            (Signed(header, "not*base64"), "The token is not base64url."),
            (Signed(header, Base64Url.EncodeToString("not json"u8)), "The token payload is invalid."),
            (Signed(header, Base64Url.EncodeToString("""{"iss":"fleet-api","sub":"42"}"""u8)), "The token payload is invalid."),
            (Signed(header, Base64Url.EncodeToString("""{"iss":"fleet-api","exp":"soon","sub":"42"}"""u8)), "The token payload is invalid."),
        })
        {
            Assert.Null(Verifier().Verify(token, out var failure));
            Assert.Equal(expected, failure);
        }

        var longToken = Signed(header, Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(Claims(sub: "42", padding: new string('p', BearerTokenVerifier.MaxTokenLength)))));
        Assert.Null(Verifier().Verify(longToken, out var tooLong));
        Assert.Equal("The token is not a compact JWT.", tooLong);
    }

    [Fact]
    public async Task HostBindsTheApisKeyAndRefusesToStartWithoutIt()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using (var host = Build(new() { ["Api:JwtKey"] = Key }))
        {
            await host.StartAsync(cts.Token);
            var claims = host.Services.GetRequiredService<BearerTokenVerifier>().VerifyAuthorization("Bearer " + Token(Claims(exp: DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds())), out var failure);
            Assert.True(claims is not null, failure);
            Assert.Equal("fleet-api", host.Services.GetRequiredService<IOptions<BearerTokenOptions>>().Value.JwtIssuer);
            await host.StopAsync(cts.Token);
        }

        foreach (var settings in new Dictionary<string, string?>[] { [], new() { ["Api:JwtKey"] = "too-short" } })
        {
            using var host = Build(settings);
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(cts.Token));
            Assert.Contains("Api:JwtKey", error.Message, StringComparison.Ordinal);
        }
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFleetBearerTokens();
        return builder.Build();
    }

    private static BearerTokenVerifier Verifier(DateTimeOffset? now = null) =>
        new(Options.Create(new BearerTokenOptions { JwtKey = Key }), new FixedTime(now ?? Now));

    private static Dictionary<string, object> Claims(string sub = "42", string iss = "fleet-api", long? exp = null, string? padding = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["iss"] = iss,
            ["sub"] = sub,
            ["email"] = "writer@example.com",
            ["role"] = "user",
            ["iat"] = Now.ToUnixTimeSeconds(),
            ["exp"] = exp ?? (Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds(),
        };
        if (padding is not null)
        {
            claims["padding"] = padding;
        }

        return claims;
    }

    /// <summary>A token as the API issues it (see Fleet.Api JwtTokenService), from these claims, header and key.</summary>
    private static string Token(Dictionary<string, object>? claims = null, string header = """{"alg":"HS256","typ":"JWT"}""", string key = Key) =>
        Signed(
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)),
            Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims ?? Claims())),
            key);

    private static string Signed(string header, string payload, string key = Key)
    {
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
