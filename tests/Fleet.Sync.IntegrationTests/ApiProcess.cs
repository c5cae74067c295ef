using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.TestUtilities;

namespace Fleet.Sync.IntegrationTests;

/// <summary>
/// The real API worker as a child process (the build output of Fleet.Api), configured only by flags and an env
/// file, like a container. Sync reaches it over NATS; tests use its HTTP side to set up accounts and topics.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static int _counter;
    private readonly ServerProcess _process;
    private readonly TempDirectory _directory;

    private ApiProcess(ServerProcess process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public HttpClient Http { get; }

    public static async Task<ApiProcess> StartAsync(string connectionString, string natsUrl, string stream, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _counter);
        var port = FreeTcpPort.Next();
        var directory = new TempDirectory("sync-api");
        var envFile = Path.Combine(directory.Path, "api.env");
        await File.WriteAllLinesAsync(
            envFile,
            [
                "FLEET_API__JWTKEY=" + TestTokens.Key,
                "FLEET_API__EVENTSTREAM=" + stream,
                "FLEET_API__EVENTSUBJECTPREFIX=" + Events.PrefixOf(stream),
                "FLEET_API__OUTBOXPOLLINTERVAL=00:00:00.200",
                "FLEET_FLEET__DRAINDELAY=00:00:00",
            ],
            cancellationToken);
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "Fleet.Api", "debug", "Fleet.Api.dll"));
        var process = ServerProcess.Start(
            "dotnet",
            [
                dll, "--region", "eu", "--instance", $"api-sync-test-{n}", "--http", $"http://127.0.0.1:{port}",
                "--nats", natsUrl, "--mysql", connectionString, "--log-dir", Path.Combine(directory.Path, "logs"), "--env-file", envFile,
            ],
            "fleet-api");
        var api = new ApiProcess(process, directory, port);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {process.ExitCode}: {process.Output}");
            }

            try
            {
                using var response = await api.Http.GetAsync(FleetHealth.ReadyPath, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return api;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Registers an account and logs in; returns its id and bearer token.</summary>
    public async Task<(long Id, string Token)> RegisterAsync(string name, CancellationToken cancellationToken)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        const string Password = "correct horse battery staple 42";
        using var registered = await Http.PostAsJsonAsync("/api/v1/accounts", new { email, password = Password, displayName = name }, cancellationToken);
        registered.EnsureSuccessStatusCode();
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
        using var login = await Http.PostAsJsonAsync("/api/v1/tokens", new { email, password = Password }, cancellationToken);
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
        return (id, token);
    }

    public async Task<long> CreateTopicAsync(string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forum/topics") { Content = JsonContent.Create(new { title = "Offline" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Dispose();
        _directory.Dispose();
        await Task.CompletedTask;
    }
}
