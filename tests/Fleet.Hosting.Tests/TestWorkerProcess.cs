using System.Diagnostics;
using System.Net;
using System.Text;

namespace Fleet.Hosting.Tests;

/// <summary>
/// The test worker (tests/Fleet.Hosting.TestWorker) running as a real process, so exit codes, signals and
/// log files are observed exactly as a supervisor would see them. Killed by PID on dispose if still running.
/// </summary>
internal sealed class TestWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private TestWorkerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string WorkerPath
    {
        get
        {
            // Both projects build into artifacts/bin/<project>/<pivot>/ (UseArtifactsOutput), so the worker sits
            // beside this assembly's folder under the same pivot (debug, release).
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(here.Parent!.Parent!.FullName, "Fleet.Hosting.TestWorker", here.Name, "Fleet.Hosting.TestWorker.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The test worker was not built at {path}; build tests/Fleet.Hosting.Tests (it references the worker).");
        }
    }

    public static TestWorkerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        info.ArgumentList.Add(WorkerPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The worker must see only what the test gives it, not the developer's or CI's settings.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("FLEET_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Fleet__", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new TestWorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(worker._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(worker._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits for exit and for both output streams to be read to their end.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
            await _exited.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The test worker did not exit in time.\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemd or lxc-stop does, to this process only.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync(cancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Polls <paramref name="url"/> until it answers <paramref name="status"/>; fails early if the worker exits.</summary>
    public async Task<string> WaitForStatusAsync(HttpClient client, string url, HttpStatusCode status, CancellationToken cancellationToken)
    {
        HttpStatusCode? last = null;
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"The test worker exited while waiting for {url} to answer {status}.\n{Describe()}");
            }

            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                last = response.StatusCode;
                if (response.StatusCode == status)
                {
                    return await response.Content.ReadAsStringAsync(cancellationToken);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{url} did not answer {status} in time (last: {last?.ToString() ?? "no answer"}).\n{Describe()}");
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{url} did not answer {status} in time (last: {last?.ToString() ?? "no answer"}).\n{Describe()}");
            }
        }
    }

    public string Describe() => $"--- stdout ---\n{StandardOutput}--- stderr ---\n{StandardError}";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _exited.TrySetResult();
            }

            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
