using System.Buffers;
using Fleet.Api.Pipeline;
using Fleet.Contracts;
using Fleet.Hosting;

namespace Fleet.Api;

/// <summary>Maps each operation of the route table onto an HTTP endpoint that feeds <see cref="ApiDispatcher"/>.</summary>
internal static class HttpTransport
{
    public static void Map(IEndpointRouteBuilder endpoints, ApiRoutes routes)
    {
        foreach (var operation in routes.Operations)
        {
            endpoints.MapMethods(operation.Route, [operation.Method], context => HandleAsync(context, operation))
                .WithName(operation.Id);
        }

        // Unknown paths under the API answer problem+json like everything else rather than an empty 404.
        endpoints.MapFallback("/api/{**path}", context => WriteAsync(context, ApiDispatcher.Problem(ApiProblem.NotFound("No such endpoint."))));
    }

    private static async Task HandleAsync(HttpContext context, ApiOperation operation)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in context.Request.Query)
        {
            parameters[name] = value.ToString();
        }

        // Route values win over a query parameter of the same name: the path is what the client addressed.
        foreach (var (name, value) in context.Request.RouteValues)
        {
            parameters[name] = value?.ToString() ?? string.Empty;
        }

        ReadOnlyMemory<byte>? body = ReadOnlyMemory<byte>.Empty;
        if (operation.RequestSchema is not null)
        {
            body = await ReadBodyAsync(context, options.MaxBodyBytes);
        }

        var request = new ApiRequest
        {
            Parameters = parameters,
            Authorization = Header(context, ApiSubjects.AuthorizationHeader),
            IdempotencyKey = Header(context, ApiSubjects.IdempotencyKeyHeader),
            ContentType = context.Request.ContentType,
            RequestId = RequestId.Current ?? context.TraceIdentifier,
            Body = body,
        };
        var response = await services.GetRequiredService<ApiDispatcher>().DispatchAsync(operation, request, context.RequestAborted);
        await WriteAsync(context, response);
    }

    private static string? Header(HttpContext context, string name) =>
        context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer (a 413, decided by the dispatcher).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 4096));
        var stream = context.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(memory, context.RequestAborted);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                // Stop reading a chunked body that is already too large; Kestrel discards the rest.
                return null;
            }
        }
    }

    private static async Task WriteAsync(HttpContext context, ApiResponse response)
    {
        context.Response.StatusCode = response.Status;
        if (response.Location is not null)
        {
            context.Response.Headers.Location = response.Location;
        }

        if (response.ContentType is not null)
        {
            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength = response.Body.Length;
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
        }
    }
}
