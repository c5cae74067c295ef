using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AccountEndpointsTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await ApiWorker.StartAsync(mysql, nats);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task RegisterLogInReadAndUpdateProfile()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _worker.WaitUntilReadyAsync(cts.Token);
        var (token, id) = await _worker.RegisterAndLoginAsync("Alice@Example.com", cts.Token);

        using var me = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Get, "/api/v1/me", token), cts.Token);
        var profile = await me.Content.ReadFromJsonAsync<JsonElement>(cts.Token);
        using var update = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Patch, "/api/v1/me", token, new { displayName = "Alice B." }), cts.Token);
        var updated = await update.Content.ReadFromJsonAsync<JsonElement>(cts.Token);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(id, profile.GetProperty("id").GetInt64());
        Assert.Equal("alice@example.com", profile.GetProperty("email").GetString());
        Assert.Equal("member", profile.GetProperty("role").GetString());
        Assert.False(profile.TryGetProperty("passwordHash", out _));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("Alice B.", updated.GetProperty("displayName").GetString());
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task StoresAPbkdf2HashNotThePassword()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _worker.RegisterAndLoginAsync("hash@example.com", cts.Token);

        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(byte[] Hash, byte[] Salt, int Iterations)>(
            "SELECT password_hash, password_salt, password_iterations FROM accounts WHERE email = 'hash@example.com'");
        var expected = Rfc2898DeriveBytes.Pbkdf2("correct horse battery"u8, row.Salt, row.Iterations, HashAlgorithmName.SHA256, 32);

        Assert.True(row.Iterations >= 100_000);
        Assert.Equal(expected, row.Hash);
    }

    [Fact]
    public async Task DuplicateEmailIsAConflict()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _worker.RegisterAndLoginAsync("dup@example.com", cts.Token);

        using var again = await _worker.Http.PostAsJsonAsync(
            "/api/v1/accounts", new { email = "DUP@example.com", password = "another password", displayName = "Other" }, cts.Token);

        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task InvalidRegistrationListsEveryFieldAndWritesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await _worker.Http.PostAsJsonAsync(
            "/api/v1/accounts", new { email = "not-an-email", password = "short", displayName = "" }, cts.Token);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["displayName", "email", "password"], fields);
        Assert.Equal(0, await CountAsync("accounts", cts.Token));
        Assert.Equal(0, await CountAsync("outbox", cts.Token));
    }

    [Fact]
    public async Task WrongPasswordAndUnknownEmailGetTheSame401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _worker.RegisterAndLoginAsync("known@example.com", cts.Token);

        using var wrong = await _worker.Http.PostAsJsonAsync("/api/v1/tokens", new { email = "known@example.com", password = "wrong password!" }, cts.Token);
        using var unknown = await _worker.Http.PostAsJsonAsync("/api/v1/tokens", new { email = "nobody@example.com", password = "wrong password!" }, cts.Token);

        var a = await Problems.AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "unauthorized");
        var b = await Problems.AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ProtectedEndpointsRejectMissingTamperedAndExpiredTokens()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (token, id) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        var parts = token.Split('.');

        // Same signature, payload changed to another account: must not verify.
        var forgedPayload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace($"\"sub\":\"{id}\"", $"\"sub\":\"{id + 1000}\"", StringComparison.Ordinal)));
        var tampered = $"{parts[0]}.{forgedPayload}.{parts[2]}";
        Assert.NotEqual(parts[1], forgedPayload);

        // Correctly signed with the real key but expired an hour ago: only the expiry check can reject it.
        var expired = Sign(new { iss = "fleet-api", sub = ApiWorker.Id(id), email = "x@example.com", role = "member", iat = 1, exp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() });
        var valid = Sign(new { iss = "fleet-api", sub = ApiWorker.Id(id), email = "x@example.com", role = "member", iat = 1, exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() });
        var noneAlg = Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8) + "." + parts[1] + ".";

        foreach (var bad in new string?[] { null, tampered, expired, noneAlg, "garbage", token + "x" })
        {
            using var response = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Get, "/api/v1/me", bad), cts.Token);
            await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using var ok = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Get, "/api/v1/me", valid), cts.Token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private static string Sign(object payload)
    {
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiWorker.JwtKey), Encoding.ASCII.GetBytes(header + "." + body));
        return header + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    private async Task<long> CountAsync(string table, CancellationToken cancellationToken)
    {
        await _worker.WaitUntilReadyAsync(cancellationToken);
        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
    }
}
