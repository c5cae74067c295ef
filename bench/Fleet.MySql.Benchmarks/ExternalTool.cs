using System.Diagnostics;
using System.Text;

namespace Fleet.MySql.Benchmarks;

/// <summary>Runs a command-line tool to completion with a time limit, capturing its output.</summary>
internal static class ExternalTool
{
    public static async Task<ToolResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => AppendLine(output, e.Data);
        process.ErrorDataReceived += (_, e) => AppendLine(error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds} s.");
        }

        // The parameterless wait drains the redirected streams after exit.
        process.WaitForExit();
        lock (output)
        {
            lock (error)
            {
                return new ToolResult(fileName, process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    private static void AppendLine(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}

/// <summary>The outcome of <see cref="ExternalTool.RunAsync"/>.</summary>
internal sealed record ToolResult(string FileName, int ExitCode, string Output, string Error)
{
    public void ThrowIfFailed()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{FileName} failed with exit code {ExitCode}:\n{Output}\n{Error}");
        }
    }
}
