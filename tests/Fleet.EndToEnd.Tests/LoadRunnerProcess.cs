using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The bench's load runner (bench/Fleet.LoadRunner) as a separate process against the ingress, for as long as
/// something disruptive lasts: it runs an open-model scenario with a long duration bound and is stopped with
/// SIGINT (its Ctrl-C: stop starting requests, let in-flight ones finish, write the reports), after which its
/// report.json is read. Built once into a private artifacts folder, so it never races another build of the bench.
/// </summary>
internal sealed class LoadRunnerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _loading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _reportDirectory;

    private LoadRunnerProcess(Process process, string reportDirectory)
    {
        _process = process;
        _reportDirectory = reportDirectory;
    }

    public static async Task<string> BuildAsync(string artifactsPath)
    {
        var project = Path.Combine(CommandRunner.RepositoryRoot, "bench", "Fleet.LoadRunner", "Fleet.LoadRunner.csproj");
        await CommandRunner.RunCheckedAsync(
            "dotnet", ["build", project, "-c", "Release", "-v", "q", "-nologo", "--artifacts-path", artifactsPath], TimeSpan.FromMinutes(5));
        var dll = Path.Combine(artifactsPath, "bin", "Fleet.LoadRunner", "release", "Fleet.LoadRunner.dll");
        Assert.True(File.Exists(dll), $"the load runner build left no {dll}");
        return dll;
    }

    /// <summary>Starts the scenario at <paramref name="rate"/> requests per second, measured from the first request (no warm-up).</summary>
    public static LoadRunnerProcess Start(string dll, Uri target, string scenario, double rate, TimeSpan maxDuration, string reportDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = CommandRunner.RepositoryRoot,
        };
        string[] arguments =
        [
            dll, "--scenario", scenario, "--base-url", target.ToString().TrimEnd('/'),
            "--rate", rate.ToString(CultureInfo.InvariantCulture), "--warmup", "0",
            "--duration", maxDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--output", reportDirectory,
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var runner = new LoadRunnerProcess(new Process { StartInfo = info }, reportDirectory);
        runner._process.OutputDataReceived += (_, e) => runner.Append(e.Data);
        runner._process.ErrorDataReceived += (_, e) => runner.Append(e.Data);
        runner._process.Start();
        runner._process.BeginOutputReadLine();
        runner._process.BeginErrorReadLine();
        return runner;
    }

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

    /// <summary>Completes when the runner has set up its data and sends load (its progress line appears).</summary>
    public async Task WaitUntilLoadingAsync(CancellationToken cancellationToken)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(_loading.Task, exited) != _loading.Task)
        {
            await exited;
            throw new InvalidOperationException($"the load runner exited with code {_process.ExitCode} before sending load:\n{Tail(Output)}");
        }
    }

    /// <summary>Stops the load like Ctrl-C and returns the one run of its report.json.</summary>
    public async Task<JsonElement> StopAsync(CancellationToken cancellationToken)
    {
        await CommandRunner.RunCheckedAsync("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cancellationToken);
        Assert.True(_process.ExitCode == 0, $"the load runner exited with code {_process.ExitCode}:\n{Tail(Output)}");
        var report = Path.Combine(_reportDirectory, "report.json");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
        return document.RootElement.GetProperty("runs")[0].Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // The progress line is rewritten with '\r'; keep the last few thousand characters only.
            _output.AppendLine(line);
            if (_output.Length > 64 * 1024)
            {
                _output.Remove(0, _output.Length - (32 * 1024));
            }
        }

        if (line.Contains(" started ", StringComparison.Ordinal))
        {
            _loading.TrySetResult();
        }
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
