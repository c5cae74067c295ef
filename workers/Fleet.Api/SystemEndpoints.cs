using System.Text.Json;
using Fleet.Api.Pipeline;

namespace Fleet.Api;

/// <summary>The OpenAPI document and a constant answer (the benchmark's baseline: the pipeline without MySQL).</summary>
internal static class SystemEndpoints
{
    private const string Tag = "system";
    private static readonly object PingBody = new Dictionary<string, string> { ["status"] = "ok" };

    public static IEnumerable<ApiOperation> Operations(Func<JsonElement> document) =>
    [
        new("system.openapi", "GET", "/api/v1/openapi.json", "This OpenAPI document.", Tag, ApiAccess.Anonymous,
            null, [], new ApiSuccess(200, "The OpenAPI 3.1 document.", "OpenApiDocument"), [], Idempotent: false,
            (_, _) => Task.FromResult(ApiResult.Ok(document()))),
        new("system.ping", "GET", "/api/v1/ping", "A constant answer without touching MySQL.", Tag, ApiAccess.Anonymous,
            null, [], new ApiSuccess(200, "Always {\"status\":\"ok\"}.", "Ping"), [], Idempotent: false,
            (_, _) => Task.FromResult(ApiResult.Ok(PingBody))),
    ];
}
