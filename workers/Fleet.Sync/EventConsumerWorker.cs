using System.Text.Json;
using Fleet.Contracts;
using Fleet.Data;
using Fleet.Hosting;
using Fleet.Nats;
using Fleet.Nats.JetStream;
using Microsoft.Extensions.Options;

namespace Fleet.Sync;

/// <summary>
/// Feeds the change log from the region's domain events through a durable JetStream pull consumer shared by every
/// sync instance. A message is acked only after its change committed; a crash before the ack redelivers it and the
/// event-id dedup makes the second apply a no-op, so nothing is lost or doubled.
/// </summary>
internal sealed partial class EventConsumerWorker(
    NatsConnection nats,
    ChangeLog changes,
    MigrationState migrations,
    IOptions<SyncOptions> options,
    IOptions<FleetOptions> fleet,
    ILogger<EventConsumerWorker> logger) : BackgroundService
{
    // Matches the API relay's window, so whichever worker creates the stream first creates the same one.
    private static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Long enough for a slow MySQL commit under load, short enough that a crashed instance's messages move on quickly.
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FetchExpiry = TimeSpan.FromSeconds(2);
    private const int FetchBatch = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SyncOptions _options = options.Value;
    private bool _consumerReady;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var retryDelay = PollInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!migrations.IsCompleted || nats.State != NatsConnectionState.Connected)
                {
                    await Task.Delay(PollInterval, stoppingToken);
                    continue;
                }

                try
                {
                    await ConsumeBatchAsync(stoppingToken);
                    retryDelay = PollInterval;
                }
#pragma warning disable CA1031 // NATS or MySQL failing mid-batch is retried; unacked messages are redelivered.
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    _consumerReady = false;
                    LogRetrying(logger, retryDelay.TotalMilliseconds, ex.Message);
                    await Task.Delay(retryDelay, stoppingToken);
                    retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: unacked messages are redelivered to another instance or after restart.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The event consumer crashed");
            Environment.ExitCode = 1;
            throw;
        }
    }

    private async Task ConsumeBatchAsync(CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(nats);
        if (!_consumerReady)
        {
            await EnsureConsumerAsync(js, cancellationToken);
            _consumerReady = true;
        }

        await foreach (var msg in js.FetchAsync(_options.EventStream, _options.ConsumerName, FetchBatch, FetchExpiry, cancellationToken))
        {
            DomainEvent? domainEvent;
            try
            {
                domainEvent = JsonSerializer.Deserialize<DomainEvent>(msg.Data.Span, Json);
            }
            catch (JsonException ex)
            {
                domainEvent = null;
                LogUnreadable(logger, msg.Metadata.StreamSequence, ex.Message);
            }

            if (domainEvent is null || string.IsNullOrEmpty(domainEvent.EventId) || domainEvent.EventId.Length > 64
                || string.IsNullOrEmpty(domainEvent.Entity) || domainEvent.Entity.Length > 32 || string.IsNullOrEmpty(domainEvent.Region))
            {
                // A poison message would otherwise be redelivered forever and hold the consumer's ack floor.
                LogTerminated(logger, msg.Metadata.StreamSequence);
                await msg.TermAsync(cancellationToken);
                continue;
            }

            var outcome = await changes.ApplyEventAsync(domainEvent, cancellationToken);
            LogApplied(logger, domainEvent.EventId, domainEvent.Entity, domainEvent.EntityId, domainEvent.Version, outcome);
            await msg.AckAsync(waitForConfirmation: false, cancellationToken);
        }
    }

    private async Task EnsureConsumerAsync(NatsJSContext js, CancellationToken cancellationToken)
    {
        try
        {
            await js.GetStreamAsync(_options.EventStream, cancellationToken);
        }
        catch (NatsJSNoStreamException)
        {
            // The API may start later; the same stream definition as its relay, so the first one wins harmlessly.
            await js.CreateOrUpdateStreamAsync(
                new NatsJSStreamConfig
                {
                    Name = _options.EventStream,
                    Subjects = [_options.EventSubjectPrefix + ".>"],
                    Storage = NatsJSStorageType.File,
                    DuplicateWindow = DuplicateWindow,
                },
                cancellationToken);
        }

        await js.CreateOrUpdateConsumerAsync(
            _options.EventStream,
            new NatsJSConsumerConfig(_options.ConsumerName)
            {
                // Only this region's events: another region's data arrives through replication, checked there.
                FilterSubject = $"{_options.EventSubjectPrefix}.{fleet.Value.Region}.>",
                DeliverPolicy = NatsJSDeliverPolicy.All,
                AckPolicy = NatsJSAckPolicy.Explicit,
                AckWait = AckWait,
                MaxAckPending = 1000,
            },
            cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} ({Entity} {EntityId} v{Version}): {Outcome}")]
    private static partial void LogApplied(ILogger logger, string eventId, string entity, long entityId, int version, ApplyOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event at stream sequence {StreamSequence} is not a domain event: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, ulong streamSequence, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event at stream sequence {StreamSequence} was terminated as unusable")]
    private static partial void LogTerminated(ILogger logger, ulong streamSequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event consumer failed, retrying in {RetryDelayMs} ms: {Reason}")]
    private static partial void LogRetrying(ILogger logger, double retryDelayMs, string reason);
}
