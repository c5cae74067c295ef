using System.Globalization;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// CPU time of the private mariadbd from /proc: the database's share of a page, which the bench process's own CPU
/// time does not include. Found by its <c>--port=</c> argument, since the fixture does not hand out its PID.
/// </summary>
internal static class ServerCpu
{
    // USER_HZ is 100 on every Linux build this runs on (x86_64 and arm64 Debian kernels).
    private const double TicksPerSecond = 100;

    /// <summary>The PID of the mariadbd listening on <paramref name="port"/>, or null when none is found.</summary>
    public static int? FindMariaDb(int port)
    {
        var portArgument = "--port=" + port.ToString(CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (arguments.Length > 0 && Path.GetFileName(arguments[0]) == "mariadbd" && arguments.Contains(portArgument))
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited while the directory was listed, or is not ours to read.
            }
        }

        return null;
    }

    /// <summary>User + system CPU of a live process (fields 14 and 15 of /proc/PID/stat); zero without a PID.</summary>
    public static TimeSpan Of(int? pid)
    {
        if (pid is null)
        {
            return TimeSpan.Zero;
        }

        // The command name in parentheses may contain spaces; the fields after the closing one are fixed.
        var text = File.ReadAllText($"/proc/{pid.Value.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
