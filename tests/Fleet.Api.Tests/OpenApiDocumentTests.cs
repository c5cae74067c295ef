using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(MySqlFixture mysql, NatsServerFixture nats) : IAsyncLifetime
{
    private ApiWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await ApiWorker.StartAsync(mysql, nats);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task DocumentsExactlyTheMappedRoutes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var document = await _worker.Http.GetFromJsonAsync<JsonElement>("/api/v1/openapi.json", cts.Token);

        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        // What the app really routes, from ASP.NET Core's own endpoint table. Excluded: the health endpoints
        // (operations of the hosting layer, not of the API) and the catch-all that turns unknown /api paths
        // into a problem+json 404 (it serves no operation).
        var mapped = _worker.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not (FleetHealth.LivePath or FleetHealth.ReadyPath))
            .Where(e => e.RoutePattern.RawText?.Contains("{**", StringComparison.Ordinal) != true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(mapped, documented);
        Assert.Contains("GET /api/v1/forum/posts/{id}", documented);
    }

    [Fact]
    public async Task DescribesBearerSchemeSchemasAndProblemAnswers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var document = await _worker.Http.GetFromJsonAsync<JsonElement>("/api/v1/openapi.json", cts.Token);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                foreach (var response in responses.EnumerateObject())
                {
                    if (!response.Value.TryGetProperty("content", out var content))
                    {
                        continue;
                    }

                    foreach (var media in content.EnumerateObject())
                    {
                        var reference = media.Value.GetProperty("schema").GetProperty("$ref").GetString()!;
                        Assert.True(schemas.TryGetProperty(reference.Split('/')[^1], out _), $"{reference} is not defined");
                        if (response.Name[0] is '4' or '5')
                        {
                            Assert.Equal("application/problem+json", media.Name);
                        }
                    }
                }
            }
        }

        var createPost = document.GetProperty("paths").GetProperty("/api/v1/forum/topics/{id}/posts").GetProperty("post");
        var statuses = createPost.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        Assert.Equal(["201", "400", "401", "404", "413", "415", "422", "503"], statuses);
        Assert.True(createPost.TryGetProperty("security", out _));
    }
}
