using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>A client's path through HAProxy only: register, log in, write and read the forum.</summary>
[Collection(LocalFleetCollection.Name)]
public sealed class ApiThroughIngressTests(LocalFleetFixture fleet)
{
    [Fact]
    public async Task RegisteredUserWritesAndReadsPostsThroughTheIngress()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(20) };
        var email = $"e2e-{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";

        using var registered = await client.PostAsJsonAsync("/api/v1/accounts", new { email, password, displayName = "E2E" }, cts.Token);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.True(registered.Headers.Contains("X-Request-ID"), "HAProxy did not return the request id");

        using var login = await client.PostAsJsonAsync("/api/v1/tokens", new { email, password }, cts.Token);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var topic = await client.PostAsJsonAsync("/api/v1/forum/topics", new { title = "Through HAProxy" }, cts.Token);
        Assert.Equal(HttpStatusCode.Created, topic.StatusCode);
        var topicId = (await topic.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("id").GetInt64();

        using var post = await client.PostAsJsonAsync($"/api/v1/forum/topics/{topicId}/posts", new { body = "Hello from the end-to-end test" }, cts.Token);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        var postId = (await post.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("id").GetInt64();

        // Both replicas must serve the read: the ingress round-robins, so two reads land on both.
        for (var i = 0; i < 4; i++)
        {
            using var read = await client.GetAsync($"/api/v1/forum/posts/{postId}", cts.Token);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("Hello from the end-to-end test", (await read.Content.ReadFromJsonAsync<JsonElement>(cts.Token)).GetProperty("body").GetString());
        }
    }

    [Fact]
    public async Task UnknownRouteAndBadInputGetProblemJson()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = fleet.Ingress, Timeout = TimeSpan.FromSeconds(20) };

        using var unknown = await client.GetAsync("/nowhere", cts.Token);
        using var invalid = await client.PostAsync("/api/v1/accounts", new StringContent("{\"email\":1}", System.Text.Encoding.UTF8, "application/json"), cts.Token);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
    }
}
