using System.Globalization;
using System.Text.Json;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleet.LoadRunner.Tests;

/// <summary>
/// A real Kestrel server on a free loopback port answering <c>POST /sync/v1/mutations</c> by the sync worker's
/// seq rules (seq ≤ last: skipped; seq > last + 1: gap, batch stops; otherwise applied), and recording every seq
/// it applied per client. With <c>retryEvery</c> = n, every n-th mutation that would apply answers <c>retry</c>
/// instead (API unreachable: nothing recorded, batch stops); with <c>failRequest</c> = n, the n-th request gets 503.
/// </summary>
internal sealed class SyncPushServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<long>> _applied = new(StringComparer.Ordinal);
    private readonly List<string> _statuses = [];
    private int _requests;
    private int _candidates;

    private SyncPushServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Seqs applied per client id, in the order they were applied.</summary>
    public Dictionary<string, List<long>> Applied
    {
        get
        {
            lock (_lock)
            {
                return _applied.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Every mutation status answered, in order.</summary>
    public IReadOnlyList<string> Statuses
    {
        get
        {
            lock (_lock)
            {
                return [.. _statuses];
            }
        }
    }

    public static async Task<SyncPushServer> StartAsync(int retryEvery = 0, int failRequest = 0)
    {
        var port = FreeTcpPort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        var server = new SyncPushServer(app, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")));
        app.MapPost("/sync/v1/mutations", async (HttpContext context) =>
        {
            if (!context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Results.StatusCode(401);
            }

            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            // A little time per batch so that concurrent requests overlap and need several clients.
            await Task.Delay(5, context.RequestAborted);
            return server.Apply(body.RootElement, retryEvery, failRequest);
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private IResult Apply(JsonElement batch, int retryEvery, int failRequest)
    {
        var clientId = batch.GetProperty("clientId").GetString()!;
        var results = new List<object>();
        lock (_lock)
        {
            if (++_requests == failRequest)
            {
                return Results.StatusCode(503);
            }

            if (!_applied.TryGetValue(clientId, out var seqs))
            {
                seqs = [];
                _applied.Add(clientId, seqs);
            }

            foreach (var mutation in batch.GetProperty("mutations").EnumerateArray())
            {
                var seq = mutation.GetProperty("seq").GetInt64();
                var last = seqs.Count == 0 ? 0 : seqs[^1];
                var status = seq <= last ? "skipped"
                    : seq != last + 1 ? "gap"
                    : retryEvery > 0 && ++_candidates % retryEvery == 0 ? "retry"
                    : "applied";
                _statuses.Add(status);
                results.Add(new { seq, status });
                if (status == "applied")
                {
                    seqs.Add(seq);
                }
                else if (status is "gap" or "retry")
                {
                    break;
                }
            }

            return Results.Json(new { clientId, lastSeq = seqs.Count == 0 ? 0 : seqs[^1], results });
        }
    }
}
