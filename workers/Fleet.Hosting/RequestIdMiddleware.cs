using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.Hosting;

/// <summary>
/// Takes the request id from <c>X-Request-ID</c> (HAProxy sets it) or makes one, echoes it in the response,
/// and makes it current for the request: <see cref="RequestId.Current"/>, <c>HttpContext.TraceIdentifier</c>
/// and a logging scope property, which Serilog.Extensions.Logging turns into a <c>RequestId</c> property.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var id = RequestId.Sanitize(context.Request.Headers[RequestId.HeaderName]) ?? RequestId.New();
        context.TraceIdentifier = id;
        context.Response.Headers[RequestId.HeaderName] = id;
        using var current = RequestId.Push(id);
        using var scope = logger.BeginScope(new Dictionary<string, object> { [RequestId.PropertyName] = id });
        await next(context);
    }
}
