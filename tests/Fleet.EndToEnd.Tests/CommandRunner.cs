using System.Diagnostics;
using System.Text;

namespace Fleet.EndToEnd.Tests;

/// <summary>Runs a command to completion with a bounded time, capturing its combined output.</summary>
internal static class CommandRunner
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        // Repository scripts are given relative to the root; Process resolves relative paths against ours, not WorkingDirectory.
        if (fileName.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(fileName))
        {
            fileName = Path.Combine(RepositoryRoot, fileName);
        }

        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout}:\n{Tail(output)}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new CommandResult(process.ExitCode, output.ToString());
        }
    }

    /// <summary>Runs a command that must succeed; a failure reports its output.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var result = await RunAsync(fileName, arguments, timeout, workingDirectory);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}:\n{Tail(result.Output)}");
        }

        return result.Output;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Tail(object output)
    {
        var text = output.ToString() ?? string.Empty;
        return text.Length > 6000 ? text[^6000..] : text;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Fleet.sln not found above {AppContext.BaseDirectory}");
    }
}

internal sealed record CommandResult(int ExitCode, string Output);
