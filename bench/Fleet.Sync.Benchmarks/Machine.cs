using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Fleet.Sync.Benchmarks;

/// <summary>Where and on what the figures were measured, read from the machine rather than typed in.</summary>
internal static class Machine
{
    private const string Unavailable = "unavailable";

    /// <summary>The 1, 5 and 15 minute load averages.</summary>
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

    /// <summary>Commit, date, cores, CPU model, server and runtime versions, one Markdown line each.</summary>
    public static IReadOnlyList<string> Describe()
    {
        var commit = Run("git", "rev-parse", "--short", "HEAD");

        // Uncommitted edits in the worker or the bench mean the hash alone does not reproduce the figures.
        var dirty = Run("git", "status", "--porcelain", "--", "workers/Fleet.Sync", "bench/Fleet.Sync.Benchmarks");
        if (dirty.Length > 0 && dirty != Unavailable)
        {
            commit += " (plus uncommitted changes in workers/Fleet.Sync or bench/Fleet.Sync.Benchmarks)";
        }

        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : Unavailable;
        return
        [
            $"Commit: {commit}",
            $"Date: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}",
            $"Machine: {Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)} cores (nproc), {cpu}, shared with other engineers' builds and tests",
            $"Servers: {Run("mariadbd", "--version")}; {Run("nats-server", "--version")}",
            $"Runtime: {RuntimeInformation.FrameworkDescription}, workstation GC",
        ];
    }

    private static string Run(string fileName, params string[] arguments)
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

            var output = process.StandardOutput.ReadToEnd().Trim();
            return process.WaitForExit(30_000) && process.ExitCode == 0 ? output : Unavailable;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Unavailable;
        }
    }
}
