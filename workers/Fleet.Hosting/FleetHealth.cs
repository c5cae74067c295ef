using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleet.Hosting;

/// <summary>
/// Liveness and readiness endpoints. <c>/healthz</c> runs no checks: it answers while the process can serve
/// HTTP, so a slow database never gets a healthy worker killed. <c>/readyz</c> runs every check tagged
/// <see cref="ReadyTag"/> (NATS, MySQL, draining) and is what HAProxy's <c>option httpchk</c> polls.
/// Add a dependency check with one line:
/// <c>builder.Services.AddHealthChecks().AddCheck&lt;MySqlReadyCheck&gt;("mysql", tags: [FleetHealth.ReadyTag]);</c>
/// </summary>
public static class FleetHealth
{
    /// <summary>The tag that puts a health check into <c>/readyz</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The liveness path.</summary>
    public const string LivePath = "/healthz";

    /// <summary>The readiness path.</summary>
    public const string ReadyPath = "/readyz";

    /// <summary>The name of the built-in check that fails while the worker drains.</summary>
    public const string DrainingCheckName = "draining";

    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c>, answering JSON with 200 or 503.</summary>
    /// <param name="endpoints">The web application.</param>
    /// <returns>The same builder.</returns>
    public static IEndpointRouteBuilder MapFleetHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteResponseAsync,
        });
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = WriteResponseAsync,
        });
        return endpoints;
    }

    /// <summary>
    /// Writes <c>{"status":…,"draining":…,"checks":{name:{status,description,durationMs}}}</c>; the status code
    /// (200 or 503) is set by the health-check middleware before this runs.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="report">The checks' results.</param>
    /// <returns>A task that completes when the body is written.</returns>
    public static async Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        var draining = context.RequestServices.GetService<DrainState>()?.IsDraining ?? false;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteBoolean("draining", draining);
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description ?? entry.Exception?.Message);
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
