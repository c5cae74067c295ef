using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fleet.TestUtilities;

namespace Fleet.LoadRunner.Tests;

/// <summary>
/// The real chat worker (workers/Fleet.Chat, built next to these tests) as a process on a free loopback port,
/// configured by environment variables as in its container. Killed by PID on dispose.
/// </summary>
internal sealed class ChatWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _logs;
    private readonly StringBuilder _output = new();

    private ChatWorkerProcess(Process process, TempDirectory logs, int port)
    {
        _process = process;
        _logs = logs;
        BaseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
    }

    public Uri BaseUrl { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ChatWorkerProcess> StartAsync(NatsServerFixture nats, string mysql, CancellationToken cancellationToken)
    {
        // artifacts/bin/<project>/<pivot>/: the worker's build sits beside this test project's under the same pivot.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Chat", here.Name, "Fleet.Chat.dll");
        var port = FreeTcpPort.Next();
        var logs = new TempDirectory("loadrunner-chat");
        var info = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["FLEET_REGION"] = "eu";
        info.Environment["FLEET_INSTANCE"] = "loadrunner-chat-" + port.ToString(CultureInfo.InvariantCulture);
        info.Environment["FLEET_HTTP"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        info.Environment["FLEET_NATS"] = nats.Url;
        info.Environment["FLEET_MYSQL"] = mysql;
        info.Environment["FLEET_LOG_DIR"] = logs.Path;
        info.Environment["FLEET_API__JWTKEY"] = Hs256TestTokens.Key;
        var process = new Process { StartInfo = info };
        var worker = new ChatWorkerProcess(process, logs, port);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await worker.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            worker.Dispose();
            throw;
        }

        return worker;
    }

    /// <summary>SIGKILL: the worker dies without closing its sockets cleanly.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _logs.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The chat worker exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/readyz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > 64 * 1024)
            {
                _output.Remove(0, _output.Length - (32 * 1024));
            }

            _output.AppendLine(line);
        }
    }
}
