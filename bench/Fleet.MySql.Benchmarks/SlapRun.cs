using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.MySql.Benchmarks;

/// <summary>
/// mariadb-slap, the server's own load tool in C with libmariadb, over the Unix socket: the limit this machine
/// and server allow for the same point select.
/// </summary>
internal static partial class SlapRun
{
    /// <summary>Root over the Unix socket, as the issue asks: the server's own limit.</summary>
    public static string[] OverSocket(MariaDbServer server) => ["-uroot", $"--socket={server.SocketPath}"];

    /// <summary>The benchmark user over TCP to 127.0.0.1, the same transport and login as the .NET clients.</summary>
    public static string[] OverTcp(MariaDbServer server) =>
    [
        "--protocol=tcp", "--host=127.0.0.1", $"--port={server.Port.ToString(CultureInfo.InvariantCulture)}",
        $"-u{MariaDbServer.User}", $"-p{MariaDbServer.Password}",
    ];

    /// <summary>Writes a file of point selects on random ids (slap cycles through it), returns its path.</summary>
    public static string WriteQueryFile(string directory, int rows, int count)
    {
        var random = new Random(7);
        var path = Path.Combine(directory, "slap-queries.sql");
        var lines = Enumerable.Range(0, count)
            .Select(_ => $"SELECT id, title, body, created FROM post WHERE id = {random.Next(1, rows + 1).ToString(CultureInfo.InvariantCulture)};");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>
    /// Runs slap for <paramref name="totalQueries"/> queries split over <paramref name="concurrency"/> clients.
    /// Slap times only the query phase (all clients connected, first query to last), reported as "Average number of
    /// seconds to run all queries"; QPS = queries ÷ that. The wall time of the whole process is kept as a check.
    /// </summary>
    public static async Task<SlapOutcome> RunAsync(
        IReadOnlyList<string> connectArguments, string queryFile, int concurrency, long totalQueries, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "--no-defaults", .. connectArguments, $"--concurrency={concurrency.ToString(CultureInfo.InvariantCulture)}",
            "--iterations=1", $"--number-of-queries={totalQueries.ToString(CultureInfo.InvariantCulture)}",
            $"--create-schema={MariaDbServer.Database}", "--no-drop", $"--query={queryFile}", "--delimiter=;",
        ];
        var childCpuBefore = ProcessCpu.OfWaitedChildren();
        var started = Stopwatch.GetTimestamp();
        var result = await ExternalTool.RunAsync("mariadb-slap", arguments, TimeSpan.FromMinutes(10), cancellationToken);
        var wall = Stopwatch.GetElapsedTime(started);
        result.ThrowIfFailed();
        var slapCpu = ProcessCpu.OfWaitedChildren() - childCpuBefore;

        var seconds = ParseNumber(SecondsLine().Match(result.Output), result.Output);
        var perClient = ParseNumber(PerClientLine().Match(result.Output), result.Output);
        var queries = (long)Math.Round(perClient * concurrency);
        return new SlapOutcome(queries, TimeSpan.FromSeconds(seconds), wall, slapCpu, "mariadb-slap " + string.Join(' ', arguments.Select(a => a.Replace(queryFile, "<query file>", StringComparison.Ordinal))));
    }

    private static double ParseNumber(Match match, string output) => match.Success
        ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"Unexpected mariadb-slap output:\n{output}");

    [GeneratedRegex(@"Average number of seconds to run all queries:\s*([0-9.]+)")]
    private static partial Regex SecondsLine();

    [GeneratedRegex(@"Average number of queries per client:\s*([0-9.]+)")]
    private static partial Regex PerClientLine();
}

/// <summary>What one slap run did.</summary>
internal sealed record SlapOutcome(long Queries, TimeSpan QueryPhase, TimeSpan Wall, TimeSpan SlapCpu, string Command);
