using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Fleet.Api.Tests;

/// <summary>
/// The real API worker, built exactly as Program.cs builds it, listening on a free loopback port in this
/// process. Each instance gets its own database (unless given one), event stream and log directory.
/// </summary>
public sealed class ApiWorker : IAsyncDisposable
{
    public const string JwtKey = Hs256TestTokens.Key;
    public const string EditorEmail = "editor@example.com";

    private static int _counter;
    private readonly WebApplication _app;
    private readonly TempDirectory _logs;
    private bool _stopped;

    private ApiWorker(WebApplication app, TempDirectory logs, int port, string connectionString, string stream, string prefix)
    {
        _app = app;
        _logs = logs;
        Port = port;
        ConnectionString = connectionString;
        EventStream = stream;
        EventSubjectPrefix = prefix;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public int Port { get; }

    public string ConnectionString { get; }

    public string EventStream { get; }

    public string EventSubjectPrefix { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public WebApplication App => _app;

    /// <summary>Starts a worker. <paramref name="connectionString"/> null means a fresh database.</summary>
    public static async Task<ApiWorker> StartAsync(
        MySqlFixture mysql,
        NatsServerFixture nats,
        string? connectionString = null,
        string? stream = null,
        string transport = "both",
        IDictionary<string, string?>? settings = null,
        bool waitUntilReady = true)
    {
        connectionString ??= await mysql.CreateDatabaseAsync("api");
        var n = Interlocked.Increment(ref _counter);
        stream ??= $"EVENTS_{Environment.ProcessId}_{n}";
        var prefix = "ev" + stream.ToLowerInvariant().Replace("_", string.Empty, StringComparison.Ordinal);
        var port = FreeTcpPort.Next();
        var logs = new TempDirectory("api-logs");
        string[] args =
        [
            "--region", "eu", "--instance", $"api-test-{n}", "--http", $"http://127.0.0.1:{port}",
            "--nats", nats.Url, "--mysql", connectionString, "--log-dir", logs.Path, "--transport", transport,
        ];
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddFleetDefaults<ApiCliOptions>(args, kind: "api");
        var values = new Dictionary<string, string?>
        {
            ["Api:JwtKey"] = JwtKey,
            ["Api:Editors"] = EditorEmail,
            ["Api:EventStream"] = stream,
            ["Api:EventSubjectPrefix"] = prefix,
            ["Api:OutboxPollInterval"] = "00:00:00.200",
            ["Fleet:DrainDelay"] = "00:00:00",
            ["Fleet:ShutdownTimeout"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.AddApiWorker();
        var app = builder.Build();
        app.MapApiWorker();
        await app.StartAsync();
        var worker = new ApiWorker(app, logs, port, connectionString, stream, prefix);
        if (waitUntilReady)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await worker.WaitUntilReadyAsync(cts.Token);
        }

        return worker;
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200 (or the token fires).</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            using var response = await Http.GetAsync(FleetHealth.ReadyPath, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _app.StopAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        Http.Dispose();

        // FLEET_TEST_KEEP_LOGS=1 keeps the worker's JSON-lines logs under /tmp/fleet-tests for a failing test.
        if (Environment.GetEnvironmentVariable("FLEET_TEST_KEEP_LOGS") != "1")
        {
            _logs.Dispose();
        }
    }

    /// <summary>Registers an account and logs in; returns the token and the account id.</summary>
    public async Task<(string Token, long Id)> RegisterAndLoginAsync(string? email, CancellationToken cancellationToken)
    {
        email ??= $"user{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}@example.com";
        using var register = await Http.PostAsJsonAsync(
            "/api/v1/accounts", new { email, password = "correct horse battery", displayName = "User" }, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, register.StatusCode);
        using var account = JsonDocument.Parse(await register.Content.ReadAsStringAsync(cancellationToken));
        using var login = await Http.PostAsJsonAsync("/api/v1/tokens", new { email, password = "correct horse battery" }, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        using var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync(cancellationToken));
        return (token.RootElement.GetProperty("accessToken").GetString()!, account.RootElement.GetProperty("id").GetInt64());
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token = null, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
