using System.Diagnostics;

namespace Fleet.Sync.Benchmarks;

/// <summary>Each writer sends batch after batch for a fixed time; a batch in flight at the deadline completes and counts.</summary>
internal static class PushLoad
{
    public static async Task<PushOutcome> RunAsync(
        IReadOnlyList<OfflineWriter> writers, Func<OfflineWriter, CancellationToken, Task> sendBatch, int batchSize, TimeSpan duration, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();

        async Task<List<long>> WriterAsync(OfflineWriter writer)
        {
            var batches = new List<long>();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                await sendBatch(writer, cancellationToken);
                batches.Add(Stopwatch.GetTimestamp() - started);
            }

            return batches;
        }

        var all = await Task.WhenAll(writers.Select(WriterAsync));
        watch.Stop();
        var samples = all.SelectMany(b => b).ToList();
        return new PushOutcome(samples, samples.Count * batchSize, watch.Elapsed);
    }
}
