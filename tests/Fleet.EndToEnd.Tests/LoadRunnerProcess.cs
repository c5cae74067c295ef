using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The bench's load runner (bench/Fleet.LoadRunner) as a separate process against the ingress, for as long as
/// something disruptive lasts: it runs an open-model scenario with a long duration bound and is stopped with
/// SIGTERM, which it treats as Ctrl-C (stop starting requests, let in-flight ones finish, print the report), after
/// which the report's Markdown on stdout is read. Not SIGINT: under a background job (CI) the runner inherits it
/// as ignored and never sees it. Built once into a private artifacts folder, so it never races another build of
/// the bench.
/// </summary>
internal sealed partial class LoadRunnerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();
    private readonly TaskCompletionSource _loading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _scenarioFile;

    private LoadRunnerProcess(Process process, string scenarioFile)
    {
        _process = process;
        _scenarioFile = scenarioFile;
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
    public static LoadRunnerProcess Start(string dll, Uri target, string scenario, double rate, TimeSpan maxDuration)
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
            "--duration", maxDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var scenarioFile = Path.Combine(CommandRunner.RepositoryRoot, "bench", "scenarios", scenario + ".json");
        var runner = new LoadRunnerProcess(new Process { StartInfo = info }, scenarioFile);
        runner._process.OutputDataReceived += (_, e) => runner.AppendStdout(e.Data);
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

    /// <summary>Stops the load with SIGTERM (the runner treats it as Ctrl-C) and reads its report: requests and errors per step.</summary>
    public async Task<LoadRunReport> StopAsync(CancellationToken cancellationToken)
    {
        await CommandRunner.RunCheckedAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));

        // Bounded, so a runner that ignores the signal fails the test with its output instead of tripping the hang timeout.
        using (var exit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            exit.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"the load runner did not exit within 2 minutes of SIGTERM:\n{Tail(Output)}");
            }
        }

        string stdout;
        lock (_stdout)
        {
            stdout = _stdout.ToString();
        }

        Assert.True(_process.ExitCode == 0, $"the load runner exited with code {_process.ExitCode}:\n{Tail(Output)}");
        var start = stdout.IndexOf("\nSteps:\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no per-step table in the load runner's report:\n{Tail(stdout)}");
        var table = stdout.IndexOf("|---", start, StringComparison.Ordinal);
        Assert.True(table >= 0, $"no step table under 'Steps:' in the load runner's report:\n{Tail(stdout)}");
        var end = stdout.IndexOf("\n\n", table, StringComparison.Ordinal);
        var steps = StepRow().Matches(stdout[start..(end < 0 ? stdout.Length : end)]).ToDictionary(
            m => m.Groups["step"].Value,
            m => (Requests: long.Parse(m.Groups["requests"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
                Errors: long.Parse(m.Groups["errors"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)));
        Assert.True(steps.Count > 0, $"no step rows in the load runner's report:\n{Tail(stdout)}");
        var results = stdout.IndexOf("### Load runner results", StringComparison.Ordinal);
        Assert.True(results >= 0, $"no results heading in the load runner's report:\n{Tail(stdout)}");
        return new LoadRunReport(steps, ChatSteps(), stdout[results..].Trim());
    }

    /// <summary>The scenario's WebSocket chat steps: they count a socket closed under a message as an error, without resending.</summary>
    private HashSet<string> ChatSteps()
    {
        using var scenario = JsonDocument.Parse(
            File.ReadAllText(_scenarioFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return scenario.RootElement.GetProperty("steps").EnumerateArray()
            .Where(step => step.TryGetProperty("kind", out var kind) && kind.GetString() == "chat")
            .Select(step => step.GetProperty("name").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
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

    private void AppendStdout(string? line)
    {
        if (line is not null)
        {
            lock (_stdout)
            {
                _stdout.AppendLine(line);
            }
        }

        Append(line);
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

    [GeneratedRegex(@"^\| [^|]+ \| (?<step>[^|]+?) \| (?<requests>[\d,]+) \| (?<errors>[\d,]+) \|", RegexOptions.Multiline)]
    private static partial Regex StepRow();
}
