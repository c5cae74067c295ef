using System.Diagnostics;

namespace Fleet.MySql.Benchmarks;

/// <summary>
/// Closed-loop load: <c>concurrency</c> callers, each running one point select after another until the duration
/// ends, timing every query from open to the last column read.
/// </summary>
internal static class ClientLoad
{
    public const string Query = "SELECT id, title, body, created FROM post WHERE id = @id";

    // A bound on each caller's loop besides the clock, should the clock check ever be skipped.
    private const long MaxQueriesPerCaller = 50_000_000;

    /// <summary>
    /// Runs the load and returns the queries completed, the wall time and this process's CPU time. With
    /// <paramref name="blockingClient"/> every caller gets a thread of its own (MySql.Data's "async" methods block);
    /// otherwise the callers share the default thread pool, as a worker's requests do.
    /// </summary>
    public static async Task<LoadOutcome> RunAsync(
        Func<int, CancellationToken, Task> pointSelect,
        bool blockingClient,
        int rows,
        int concurrency,
        TimeSpan duration,
        LatencyRecorder latencies,
        CancellationToken cancellationToken)
    {
        latencies.Reset();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var callers = new Task<long>[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var random = new Random(i);

            // Dedicated threads rather than a raised pool minimum: 80 pool threads made Fleet.MySql's continuations
            // hop between far more threads than the 2 cores, and context switches took a third of its client CPU.
            callers[i] = blockingClient
                ? Task.Factory.StartNew(
                    () => CallerAsync(pointSelect, random, rows, stopAt, latencies, cancellationToken).GetAwaiter().GetResult(),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default)
                : Task.Run(() => CallerAsync(pointSelect, random, rows, stopAt, latencies, cancellationToken), cancellationToken);
        }

        var counts = await Task.WhenAll(callers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new LoadOutcome(counts.Sum(), elapsed, Environment.CpuUsage.TotalTime - cpuBefore);
    }

    private static async Task<long> CallerAsync(
        Func<int, CancellationToken, Task> pointSelect, Random random, int rows, long stopAt, LatencyRecorder latencies, CancellationToken cancellationToken)
    {
        long count = 0;
        while (count < MaxQueriesPerCaller && Stopwatch.GetTimestamp() < stopAt)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            await pointSelect(random.Next(1, rows + 1), cancellationToken);
            latencies.Record(Stopwatch.GetTimestamp() - start);
            count++;
        }

        return count;
    }

    /// <summary>One query through Fleet.MySql, shaped as the workers use it: open from the pool, read, dispose.</summary>
    public static Func<int, CancellationToken, Task> FleetMySql(string connectionString) => async (id, cancellationToken) =>
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand(Query, connection);
        command.Parameters.Add(new MySqlParameter("@id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        ReadRow(reader, id, await reader.ReadAsync(cancellationToken));
    };

    /// <summary>The same query through MySql.Data 8.0.16, whose async methods run synchronously.</summary>
    public static Func<int, CancellationToken, Task> MySqlData(string connectionString) => async (id, cancellationToken) =>
    {
        await using var connection = new global::MySql.Data.MySqlClient.MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new global::MySql.Data.MySqlClient.MySqlCommand(Query, connection);
        command.Parameters.AddWithValue("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        ReadRow(reader, id, await reader.ReadAsync(cancellationToken));
    };

    private static void ReadRow(System.Data.Common.DbDataReader reader, int id, bool hasRow)
    {
        // Reading every column makes both clients parse the whole row, and checking the id catches a wrong binding.
        if (!hasRow || reader.GetInt32(0) != id || reader.GetString(1).Length == 0 || reader.GetString(2).Length == 0 || reader.GetDateTime(3).Year < 2000)
        {
            throw new InvalidOperationException($"Row {id} came back missing or wrong.");
        }
    }
}

/// <summary>What one load run did.</summary>
internal sealed record LoadOutcome(long Queries, TimeSpan Elapsed, TimeSpan ClientCpu);
