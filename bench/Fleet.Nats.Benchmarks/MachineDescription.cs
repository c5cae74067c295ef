using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Fleet.Nats.Benchmarks;

/// <summary>Where and on what the figures were measured, read from the machine rather than typed in.</summary>
internal sealed record MachineDescription(
    string Commit, string DateUtc, int ProcessorCount, string CpuModel, string NatsServerVersion, string DotnetSdk, string Runtime)
{
    public static MachineDescription Collect(string? externalServer)
    {
        var commit = RunTool("git", "rev-parse", "--short", "HEAD");

        // Uncommitted edits in the client or the bench mean the hash alone does not reproduce the figures.
        var dirty = RunTool("git", "status", "--porcelain", "--", "workers/Fleet.Nats", "bench/Fleet.Nats.Benchmarks");
        if (dirty.Length > 0 && dirty != Unavailable)
        {
            commit += " (plus uncommitted changes in workers/Fleet.Nats or bench/Fleet.Nats.Benchmarks)";
        }

        var natsVersion = externalServer is null
            ? RunTool("/usr/sbin/nats-server", "--version").Replace("nats-server: ", string.Empty, StringComparison.Ordinal)
            : $"external server {externalServer}";
        return new MachineDescription(
            commit,
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Environment.ProcessorCount,
            ReadCpuModel(),
            natsVersion,
            RunTool("dotnet", "--version"),
            RuntimeInformation.FrameworkDescription);
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return Unavailable;
        }
    }

    private const string Unavailable = "unavailable";

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? Unavailable : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return Unavailable;
        }
    }

    private static string RunTool(string fileName, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info);
            if (process is null)
            {
                return Unavailable;
            }

            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd().Trim();
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                return Unavailable;
            }

            _ = errors.Result;
            return process.ExitCode == 0 ? output : Unavailable;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Unavailable;
        }
    }
}
