using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Hosting;
using Fleet.TestUtilities;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// The real API worker (the Release build output of Fleet.Api) as a child process configured by flags and an env
/// file, like a container; killed by PID on dispose. Sync forwards pushed mutations to it over NATS; the direct
/// push baseline and the set-up (accounts, topics) use its HTTP side.
/// </summary>
internal sealed class ApiWorker : IDisposable
{
    private readonly ServerProcess _process;
    private readonly TempDirectory _directory;

    private ApiWorker(ServerProcess process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    public int ProcessId => _process.Pid;

    public static async Task<ApiWorker> StartAsync(string connectionString, string natsUrl, string stream, CancellationToken cancellationToken)
    {
        var port = FreeTcpPort.Next();
        var directory = new TempDirectory("sync-bench-api");
        var envFile = Path.Combine(directory.Path, "api.env");
        await File.WriteAllLinesAsync(
            envFile,
            [
                "FLEET_API__JWTKEY=" + BenchTokens.Key,
                "FLEET_API__EVENTSTREAM=" + stream,
                "FLEET_API__EVENTSUBJECTPREFIX=" + EventStreams.PrefixOf(stream),
                "FLEET_FLEET__DRAINDELAY=00:00:00",
            ],
            cancellationToken);

        // Next to this program's own output: artifacts/bin/<project>/<configuration>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Api", here.Name, "Fleet.Api.dll");
        var process = ServerProcess.Start(
            "dotnet",
            [
                dll, "--region", "eu", "--instance", "api-sync-bench", "--http", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                "--nats", natsUrl, "--mysql", connectionString, "--log-dir", Path.Combine(directory.Path, "logs"), "--env-file", envFile,
            ],
            "fleet-api");
        var api = new ApiWorker(process, directory, port);
        try
        {
            await api.WaitReadyAsync(cancellationToken);
            return api;
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    /// <summary>Registers an account, logs in and creates a topic; returns the account id, its token and the topic id.</summary>
    public async Task<(long AccountId, string Token, long TopicId)> CreateWriterAsync(string name, CancellationToken cancellationToken)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        const string Password = "correct horse battery staple 42";
        using var registered = await Http.PostAsJsonAsync("/api/v1/accounts", new { email, password = Password, displayName = name }, cancellationToken);
        registered.EnsureSuccessStatusCode();
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
        using var login = await Http.PostAsJsonAsync("/api/v1/tokens", new { email, password = Password }, cancellationToken);
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forum/topics") { Content = JsonContent.Create(new { title = "Offline edits of " + name }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var topic = await Http.SendAsync(request, cancellationToken);
        topic.EnsureSuccessStatusCode();
        return (id, token, (await topic.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64());
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}: {_process.Output}");
            }

            try
            {
                using var response = await Http.GetAsync(FleetHealth.ReadyPath, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, timeout.Token);
        }
    }
}
