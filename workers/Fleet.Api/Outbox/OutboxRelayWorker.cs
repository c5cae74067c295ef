using System.Runtime.ExceptionServices;
using System.Text;
using Dapper;
using Fleet.Data;
using Fleet.Nats;
using Fleet.Nats.JetStream;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Outbox;

/// <summary>
/// Publishes pending outbox rows to JetStream in commit order with <c>Nats-Msg-Id</c> = event id, then marks them
/// sent. A crash between publish and mark republishes the row after restart; the stream's duplicate window
/// drops the copy, so each event is stored once. While NATS is down rows simply wait, retried with backoff.
/// </summary>
internal sealed partial class OutboxRelayWorker(
    DbConnectionFactory db,
    MigrationState migrations,
    NatsConnection nats,
    OutboxSignal signal,
    IOptions<ApiOptions> options,
    ILogger<OutboxRelayWorker> logger) : BackgroundService
{
    // Enough rows per round trip to keep up with bursts, few enough that one slow batch does not hold events back.
    private const int BatchSize = 100;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // It must cover the longest gap between a publish and its retry: a worker crash and restart, or a NATS
    // outage during which the ack was lost. An hour is far beyond either and costs one id per event in memory.
    private static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(1);

    private readonly ApiOptions _options = options.Value;
    private bool _streamReady;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var retryDelay = FirstRetryDelay;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!migrations.IsCompleted || nats.State != NatsConnectionState.Connected)
                {
                    // Nothing can move yet; check again soon rather than stack up timed-out publishes.
                    await signal.WaitAsync(FirstRetryDelay, stoppingToken);
                    continue;
                }

                int relayed;
                try
                {
                    relayed = await RelayBatchAsync(stoppingToken);
                    retryDelay = FirstRetryDelay;
                }
#pragma warning disable CA1031 // MySQL or NATS failing mid-batch is retried; the rows stay pending, nothing is lost.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    _streamReady = false;
                    LogRetrying(logger, retryDelay.TotalMilliseconds, ex.Message);
                    await Task.Delay(retryDelay * (0.75 + (Random.Shared.NextDouble() / 2)), stoppingToken);
                    retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                    continue;
                }

                if (relayed < BatchSize)
                {
                    await signal.WaitAsync(_options.OutboxPollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: unsent rows stay pending and the next start sends them.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The outbox relay crashed");
            Environment.ExitCode = 1;
            throw;
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(nats);
        if (!_streamReady)
        {
            await js.CreateOrUpdateStreamAsync(
                new NatsJSStreamConfig
                {
                    Name = _options.EventStream,
                    Subjects = [_options.EventSubjectPrefix + ".>"],
                    Storage = NatsJSStorageType.File,
                    DuplicateWindow = DuplicateWindow,
                },
                cancellationToken);
            _streamReady = true;
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            """
            SELECT seq AS Seq, event_id AS EventId, subject AS Subject, payload AS Payload
            FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT @BatchSize
            """,
            new { BatchSize },
            cancellationToken: cancellationToken))).ToList();
        var published = new List<long>(rows.Count);
        Exception? failure = null;
        try
        {
            // One at a time, in seq order: the stream stores events in the order they were committed.
            foreach (var row in rows)
            {
                var ack = await js.PublishAsync(row.Subject, Encoding.UTF8.GetBytes(row.Payload), row.EventId, headers: null, cancellationToken);
                published.Add(row.Seq);
                if (ack.Duplicate)
                {
                    LogDuplicate(logger, row.EventId);
                }
            }
        }
#pragma warning disable CA1031 // Kept and rethrown below, once what was published is marked.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        // One UPDATE for the batch, covering what was published even when a later row failed. An UPDATE (a commit) per
        // row made a 25–30k-event backlog take 14 s to relay instead of 4 s (the API bench before and after this
        // change). If the UPDATE fails, those rows are published again and the stream drops the copies. Its own
        // timeout: it also runs while stopping, after cancellationToken fired.
        if (published.Count > 0)
        {
            using var markTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE outbox SET sent_at = UTC_TIMESTAMP(6), attempts = attempts + 1 WHERE seq IN @published",
                    new { published },
                    cancellationToken: markTimeout.Token));
            }
#pragma warning disable CA1031 // The publish failure is the one to report; these rows are simply published again.
            catch (Exception ex) when (failure is not null)
#pragma warning restore CA1031
            {
                LogMarkFailed(logger, published.Count, ex.Message);
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (rows.Count > 0)
        {
            LogRelayed(logger, rows.Count, _options.EventStream);
        }

        return rows.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mark {EventCount} published outbox events sent; they will be published again: {Reason}")]
    private static partial void LogMarkFailed(ILogger logger, int eventCount, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relayed {EventCount} outbox events to {Stream}")]
    private static partial void LogRelayed(ILogger logger, int eventCount, string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} was already on the stream (published before a crash or lost ack)")]
    private static partial void LogDuplicate(ILogger logger, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay failed, retrying in {RetryDelayMs} ms: {Reason}")]
    private static partial void LogRetrying(ILogger logger, double retryDelayMs, string reason);

    private sealed class OutboxRow
    {
        public long Seq { get; set; }

        public string EventId { get; set; } = string.Empty;

        public string Subject { get; set; } = string.Empty;

        public string Payload { get; set; } = string.Empty;
    }
}
