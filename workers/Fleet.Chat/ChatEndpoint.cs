using System.Net.WebSockets;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.Hosting.Security;
using Microsoft.Extensions.Options;

namespace Fleet.Chat;

/// <summary>
/// <c>GET /chat/v1/ws</c>: authenticates, applies the connection cap and drain, upgrades and runs the session.
/// Refusals are <c>application/problem+json</c> answers to the HTTP request, before any upgrade.
/// </summary>
internal static class ChatEndpoint
{
    public const string Path = "/chat/v1/ws";

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<ChatOptions>>().Value;
        var drain = services.GetRequiredService<DrainState>();
        var registry = services.GetRequiredService<ConnectionRegistry>();
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ProblemAsync(context, StatusCodes.Status426UpgradeRequired, "WebSocket upgrade required", "Connect with a WebSocket client.");
            return;
        }

        if (drain.IsDraining)
        {
            await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Draining", "This instance is shutting down; reconnect.", retryAfterSeconds: 1);
            return;
        }

        var token = BearerToken(context);
        var userId = token is null ? null : services.GetRequiredService<BearerTokenVerifier>().Verify(token, out _)?.Subject;
        if (userId is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required (Authorization header or access_token query parameter).");
            return;
        }

        if (!registry.TryReserve(options.MaxConnections))
        {
            await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Too many connections", $"This instance holds its maximum of {options.MaxConnections} connections; retry later.", retryAfterSeconds: 5);
            return;
        }

        ChatConnection? connection = null;
        try
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = options.KeepAliveInterval,
                KeepAliveTimeout = options.KeepAliveInterval,
            });
            var requestId = RequestId.Current ?? context.TraceIdentifier;
            connection = new ChatConnection(
                socket, userId, requestId, options,
                services.GetRequiredService<RoomHub>(),
                services.GetRequiredService<ChatStore>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger<ChatConnection>());
            registry.Add(connection);
            if (drain.IsDraining)
            {
                connection.RequestClose((WebSocketCloseStatus)ChatDrainService.ServiceRestart, "server restarting", null, dropQueued: false);
            }

            await connection.RunAsync(context.RequestAborted);
        }
        finally
        {
            registry.Release(connection);
            connection?.Dispose();
        }
    }

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // Browsers cannot set headers on a WebSocket handshake, so the token may come in the query string.
        var query = context.Request.Query["access_token"].ToString();
        return query.Length > 0 ? query : null;
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("type", "about:blank");
        json.WriteString("title", title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
