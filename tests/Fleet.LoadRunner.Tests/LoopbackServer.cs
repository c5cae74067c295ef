using System.Globalization;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.LoadRunner.Tests;

/// <summary>
/// A real Kestrel server on a free loopback port. <c>/ok</c> answers 200; <c>/status/{code}</c> answers that code;
/// <c>/stall</c> answers 200 except that the <see cref="StallAtRequest"/>-th request closes a gate for
/// <see cref="StallFor"/>, and every request that arrives while it is closed waits for it to reopen.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private Task _gate = Task.CompletedTask;
    private long _requests;

    private LoopbackServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public long Requests => Interlocked.Read(ref _requests);

    public long StallAtRequest { get; init; } = long.MaxValue;

    public TimeSpan StallFor { get; init; } = TimeSpan.FromSeconds(1);

    public static async Task<LoopbackServer> StartAsync(long stallAtRequest = long.MaxValue, TimeSpan? stallFor = null)
    {
        var port = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        var server = new LoopbackServer(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")))
        {
            StallAtRequest = stallAtRequest,
            StallFor = stallFor ?? TimeSpan.FromSeconds(1),
        };
        app.MapGet("/ok", () =>
        {
            Interlocked.Increment(ref server._requests);
            return Results.Text("ok");
        });
        app.MapGet("/status/{code:int}", (int code) =>
        {
            Interlocked.Increment(ref server._requests);
            return Results.StatusCode(code);
        });
        app.MapGet("/hang", async (CancellationToken aborted) =>
        {
            Interlocked.Increment(ref server._requests);
            await Task.Delay(Timeout.Infinite, aborted);
            return Results.Text("never");
        });
        app.MapGet("/stall", async () =>
        {
            Task gate;
            lock (server._lock)
            {
                if (++server._requests == server.StallAtRequest)
                {
                    server._gate = Task.Delay(server.StallFor);
                }

                gate = server._gate;
            }

            await gate;
            return Results.Text("ok");
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
