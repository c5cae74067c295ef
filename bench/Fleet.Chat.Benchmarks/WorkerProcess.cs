using System.Diagnostics;
using System.Globalization;
using Fleet.TestUtilities;

namespace Fleet.Chat.Benchmarks;

/// <summary>A chat worker process configured by FLEET_* variables; killed by PID on dispose.</summary>
public sealed class WorkerProcess : IDisposable
{
    public const string JwtKey = "bench-signing-key-that-is-long-enough-0123456789";

    private readonly Process _process;
    private readonly HttpClient _http;

    private WorkerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/chat/v1/ws");

    public static WorkerProcess Start(string nats, string mysql, string logs)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var worker = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Chat", here.Name, "Fleet.Chat.dll");
        var port = FreeTcpPort.Next();
        var info = new ProcessStartInfo("dotnet") { ArgumentList = { worker }, UseShellExecute = false, RedirectStandardOutput = true };
        info.Environment["FLEET_REGION"] = "bench";
        info.Environment["FLEET_INSTANCE"] = $"chat-bench-{port}";
        info.Environment["FLEET_HTTP"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        info.Environment["FLEET_NATS"] = nats;
        info.Environment["FLEET_MYSQL"] = mysql;
        info.Environment["FLEET_LOG_DIR"] = logs;
        info.Environment["FLEET_API__JWTKEY"] = JwtKey;

        // The benchmark measures throughput, not the per-connection guard rails.
        info.Environment["FLEET_CHAT__MESSAGESPERSECOND"] = "100000";
        info.Environment["FLEET_CHAT__MESSAGEBURST"] = "100000";
        info.Environment["FLEET_CHAT__SENDQUEUECAPACITY"] = "10000";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return new WorkerProcess(process, port);
    }

    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync("/readyz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Starting.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _http.Dispose();
    }
}
