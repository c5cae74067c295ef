using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Api.Tests;

/// <summary>Bad input never yields a 500 and never writes anything; hostile text is stored verbatim, never executed.</summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;
    private string _token = null!;
    private long _topic;

    public async Task InitializeAsync()
    {
        _worker = await ApiWorker.StartAsync(mysql, nats);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        (_token, _) = await _worker.RegisterAndLoginAsync(null, cts.Token);
        using var topic = await _worker.Http.SendAsync(ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", _token, new { title = "t" }), cts.Token);
        _topic = (await topic.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task OversizedBodyIs413AndWritesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var before = await PostCountAsync(cts.Token);
        var huge = JsonSerializer.Serialize(new { body = new string('x', 70 * 1024) });

        using var withLength = await PostRawAsync(Encoding.UTF8.GetBytes(huge), "application/json", chunked: false, cts.Token);
        using var chunked = await PostRawAsync(Encoding.UTF8.GetBytes(huge), "application/json", chunked: true, cts.Token);

        await Problems.AssertProblemAsync(withLength, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        await Problems.AssertProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(before, await PostCountAsync(cts.Token));
    }

    [Fact]
    public async Task CredentialsOfAnotherSchemeOrNoneAre401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var basic = ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", json: new { title = "t" });
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        using var garbage = ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", "not-a-token", new { title = "t" });
        using var none = ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", json: new { title = "t" });

        using var basicResponse = await _worker.Http.SendAsync(basic, cts.Token);
        using var garbageResponse = await _worker.Http.SendAsync(garbage, cts.Token);
        using var noneResponse = await _worker.Http.SendAsync(none, cts.Token);

        var wrongScheme = await Problems.AssertProblemAsync(basicResponse, HttpStatusCode.Unauthorized, "unauthorized");
        var badToken = await Problems.AssertProblemAsync(garbageResponse, HttpStatusCode.Unauthorized, "unauthorized");
        var missing = await Problems.AssertProblemAsync(noneResponse, HttpStatusCode.Unauthorized, "unauthorized");

        Assert.Equal("Use the Bearer scheme.", wrongScheme.GetProperty("detail").GetString());
        Assert.NotEqual("Use the Bearer scheme.", badToken.GetProperty("detail").GetString());
        Assert.Equal("A bearer token is required.", missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task NonJsonMediaTypeIs415()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = Encoding.UTF8.GetBytes("""{"body":"hello"}""");

        foreach (var mediaType in new[] { "text/plain", "application/xml", "application/json; charset=latin1" })
        {
            using var response = await PostRawAsync(body, mediaType, chunked: false, cts.Token);
            await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        }

        using var noType = await PostRawAsync(body, null, chunked: false, cts.Token);
        await Problems.AssertProblemAsync(noType, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task MalformedJsonWrongTypesAndInvalidUtf8Are400AndWriteNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var before = await PostCountAsync(cts.Token);
        byte[][] bodies =
        [
            "{\"body\":"u8.ToArray(),
            "not json"u8.ToArray(),
            "[]"u8.ToArray(),
            "null"u8.ToArray(),
            "{\"body\":42}"u8.ToArray(),
            "{\"body\":\"\\ud800\"}"u8.ToArray(),
            [.. "{\"body\":\""u8, 0xC3, 0x28, .. "\"}"u8],
            [.. "{\"body\":\""u8, 0xFF, 0xFE, .. "\"}"u8],
            [],
        ];

        foreach (var body in bodies)
        {
            using var response = await PostRawAsync(body, "application/json", chunked: false, cts.Token);
            var text = await response.Content.ReadAsStringAsync(cts.Token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{Convert.ToHexString(body)} → {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await PostCountAsync(cts.Token));
    }

    [Fact]
    public async Task SqlInjectionAndUnicodeTextIsStoredVerbatim()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string[] texts =
        [
            "'; DROP TABLE posts; --",
            "\" OR 1=1 -- ",
            "Robert'); DELETE FROM accounts WHERE ('1'='1",
            "\\'; SELECT SLEEP(10); #",
            "@body := 1; /* comment */",
            "emoji 😀 and CJK 漢字 and RTL שלום and zero width \u200b",
            "  leading and trailing white space, kept  ",
        ];

        foreach (var text in texts)
        {
            using var created = await _worker.Http.SendAsync(
                ApiWorker.Request(HttpMethod.Post, $"/api/v1/forum/topics/{_topic}/posts", _token, new { body = text }), cts.Token);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var read = await _worker.Http.GetFromJsonAsync<JsonElement>(created.Headers.Location, cts.Token);
            Assert.Equal(text, read.GetProperty("body").GetString());
        }

        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cts.Token);
        Assert.Equal(texts.Length, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM posts"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM accounts"));
    }

    [Fact]
    public async Task ControlCharactersInSingleLineFieldsAreRejected()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var response = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, "/api/v1/forum/topics", _token, new { title = "line\nbreak\u0007" }), cts.Token);

        using var nul = await _worker.Http.SendAsync(
            ApiWorker.Request(HttpMethod.Post, $"/api/v1/forum/topics/{_topic}/posts", _token, new { body = "NUL \0 inside" }), cts.Token);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
        await Problems.AssertProblemAsync(nul, HttpStatusCode.BadRequest, "validation");
    }

    private async Task<HttpResponseMessage> PostRawAsync(byte[] body, string? mediaType, bool chunked, CancellationToken cancellationToken)
    {
        var request = ApiWorker.Request(HttpMethod.Post, $"/api/v1/forum/topics/{_topic}/posts", _token);
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        if (mediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        request.Content = content;
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using (request)
        {
            return await _worker.Http.SendAsync(request, cancellationToken);
        }
    }

    private async Task<long> PostCountAsync(CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(_worker.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM posts") + await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox");
    }
}
