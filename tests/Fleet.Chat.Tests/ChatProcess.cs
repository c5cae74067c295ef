using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fleet.TestUtilities;

namespace Fleet.Chat.Tests;

/// <summary>
/// The chat worker as a real process configured only by environment variables, as in its LXC container.
/// Killed by PID on dispose if still running.
/// </summary>
public sealed class ChatProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChatProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/chat/v1/ws");

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

    public static ChatProcess Start(int port, string nats, string mysql, string logDirectory, IDictionary<string, string>? extra = null)
    {
        // The worker sits beside the tests' build output under the same pivot (artifacts/bin/<project>/<pivot>).
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var worker = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Chat", here.Name, "Fleet.Chat.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { worker },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["FLEET_REGION"] = "eu";
        info.Environment["FLEET_INSTANCE"] = $"chat-proc-{port}";
        info.Environment["FLEET_HTTP"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        info.Environment["FLEET_NATS"] = nats;
        info.Environment["FLEET_MYSQL"] = mysql;
        info.Environment["FLEET_LOG_DIR"] = logDirectory;
        info.Environment["FLEET_API__JWTKEY"] = Hs256TestTokens.Key;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var chat = new ChatProcess(process, port);
        process.OutputDataReceived += (_, e) => chat.Append(e.Data);
        process.ErrorDataReceived += (_, e) => chat.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return chat;
    }

    /// <summary>Polls a path until it answers <paramref name="status"/> (the process may still be starting).</summary>
    public async Task WaitForStatusAsync(string path, System.Net.HttpStatusCode status, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync(path, cancellationToken);
                if (response.StatusCode == status)
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

    /// <summary>Sends SIGTERM to this process only, as lxc-stop or systemd does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        Http.Dispose();
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
                _output.Remove(0, _output.Length - 32 * 1024);
            }

            _output.AppendLine(line);
        }
    }
}
