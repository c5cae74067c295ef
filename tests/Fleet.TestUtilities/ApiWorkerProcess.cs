using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.TestUtilities;

/// <summary>
/// The real API worker as a child process, configured only by flags and an env file, like a container; killed by PID
/// on dispose. Sync reaches it over NATS; callers use its HTTP side to set up accounts and topics. The calling project
/// has Fleet.Api built next to it (a reference with ReferenceOutputAssembly="false"): this library references no
/// worker, so test projects that never start the API do not build it.
/// </summary>
public sealed class ApiWorkerProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static int _counter;
    private readonly ServerProcess _process;
    private readonly TempDirectory _directory;

    private ApiWorkerProcess(ServerProcess process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts the worker and returns once <paramref name="readyPath"/> answers 200. <paramref name="environment"/> holds
    /// the env file's NAME=value lines. The ready path is passed in because this library does not reference Fleet.Hosting.
    /// </summary>
    public static async Task<ApiWorkerProcess> StartAsync(
        string name, string connectionString, string natsUrl, IEnumerable<string> environment, string readyPath, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _counter);
        var port = FreeTcpPort.Next();
        var directory = new TempDirectory(name);
        var envFile = Path.Combine(directory.Path, "api.env");
        await File.WriteAllLinesAsync(envFile, environment, cancellationToken);

        // Next to the caller's own output: artifacts/bin/<project>/<configuration>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Api", here.Name, "Fleet.Api.dll");
        var process = ServerProcess.Start(
            "dotnet",
            [
                dll, "--region", "eu", "--instance", $"{name}-{n.ToString(CultureInfo.InvariantCulture)}",
                "--http", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--nats", natsUrl, "--mysql", connectionString,
                "--log-dir", Path.Combine(directory.Path, "logs"), "--env-file", envFile,
            ],
            "fleet-api");
        var api = new ApiWorkerProcess(process, directory, port);
        try
        {
            await api.WaitReadyAsync(readyPath, cancellationToken);
            return api;
        }
        catch
        {
            api.Dispose();
            throw;
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

    /// <summary>Creates a forum topic as the bearer of <paramref name="token"/>; returns its id.</summary>
    public async Task<long> CreateTopicAsync(string token, string title, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forum/topics") { Content = JsonContent.Create(new { title }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetInt64();
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitReadyAsync(string readyPath, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}: {_process.Output}");
            }

            try
            {
                using var response = await Http.GetAsync(readyPath, timeout.Token);
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
