using System.Net;
using System.Text.Json;

namespace Fleet.Sync.IntegrationTests;

public static class Problems
{
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string type, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(type, JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
    }
}
