using System.Globalization;
using Fleet.Api.Pipeline;
using Fleet.Contracts;
using Fleet.Hosting;
using Fleet.Nats;
using Microsoft.Extensions.Options;

namespace Fleet.Api;

/// <summary>
/// Serves the route table over NATS request/reply: one wildcard subscription on <c>api.v1.&gt;</c> in queue
/// group <c>api</c>, the operation taken from the subject, parameters and auth from headers, and the answer's
/// status in the <c>Status</c> header. Requests go through the same <see cref="ApiDispatcher"/> as HTTP.
/// </summary>
/// <remarks>
/// Draining works like Kestrel's: when the worker starts draining it leaves the queue group, so new requests go to the
/// other instances, answers the requests already delivered to it, and StopAsync waits for the ones in flight within
/// the shutdown budget. Dropping them instead left each requester (the sync worker forwarding a push) waiting out its
/// full timeout.
/// </remarks>
internal sealed partial class NatsTransportService(
    NatsConnection nats,
    ApiRoutes routes,
    ApiDispatcher dispatcher,
    DrainState drain,
    IOptions<ApiOptions> options,
    ILogger<NatsTransportService> logger) : BackgroundService
{
    // Like Kestrel's per-connection concurrency: enough to keep MySQL busy, bounded so a burst of requests
    // queues in NATS (where the queue group can hand it to another instance) instead of in our memory.
    private const int MaxConcurrentRequests = 64;

    private static readonly TimeSpan ConnectPollInterval = TimeSpan.FromMilliseconds(200);
    private readonly Dictionary<string, ApiOperation> _operations = routes.Operations.ToDictionary(o => ApiSubjects.ForOperation(o.Id), StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRequests, MaxConcurrentRequests);
    private readonly TaskCompletionSource _readingEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _subscribed;

    /// <summary>True while the queue subscription is open; part of readiness when NATS is a transport.</summary>
    public bool IsServing => _subscribed || !options.Value.ParsedTransport.HasFlag(ApiTransport.Nats);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ParsedTransport.HasFlag(ApiTransport.Nats))
        {
            _readingEnded.TrySetResult();
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested && !drain.IsDraining)
            {
                if (nats.State != NatsConnectionState.Connected)
                {
                    await Task.Delay(ConnectPollInterval, stoppingToken);
                    continue;
                }

                await using var subscription = await nats.SubscribeAsync(ApiSubjects.Prefix + ">", ApiSubjects.QueueGroup, cancellationToken: stoppingToken);
                LogSubscribed(logger, ApiSubjects.Prefix + ">", ApiSubjects.QueueGroup);
                _subscribed = true;
                try
                {
                    // Draining completes the channel after the messages the server already sent, which are still answered.
                    await using var unsubscribeOnDrain = drain.Draining.Register(() => _ = LeaveQueueGroupAsync(subscription));

                    // The client re-subscribes by itself across reconnects; the loop ends when the connection closed or
                    // the drain unsubscribed.
                    await foreach (var msg in subscription.ReadAllAsync(stoppingToken))
                    {
                        await _slots.WaitAsync(stoppingToken);
                        _ = HandleAsync(msg, stoppingToken);
                    }
                }
                finally
                {
                    _subscribed = false;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the drain ended the subscription (the shutdown budget ran out); StopAsync has waited.
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The NATS transport crashed");
            Environment.ExitCode = 1;
            throw;
        }
        finally
        {
            _readingEnded.TrySetResult();
        }
    }

    /// <summary>
    /// As Kestrel's: the requests this instance took get the host's whole shutdown budget, not only the drain delay.
    /// Only then does the base class cancel stoppingToken, and with it any request still running.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ExecuteTask is not null)
        {
            try
            {
                // The drain ends the read loop once the queued messages are dispatched; every slot back means every
                // dispatched request was answered. The slots stay taken: nothing starts after this.
                await _readingEnded.Task.WaitAsync(cancellationToken);
                for (var i = 0; i < MaxConcurrentRequests; i++)
                {
                    await _slots.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The shutdown budget ran out: the base class cancels what is still running.
            }
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    private async Task LeaveQueueGroupAsync(NatsSubscription subscription)
    {
        try
        {
            await subscription.DrainAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // NATS lost mid-drain: nothing more will be delivered anyway; say so and carry on stopping.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDrainFailed(logger, ex.Message);
        }
    }

    private async Task HandleAsync(NatsMsg msg, CancellationToken stoppingToken)
    {
        try
        {
            if (msg.ReplyTo is null)
            {
                return;
            }

            var headers = msg.Headers;
            var requestId = RequestId.Sanitize(headers?[ApiSubjects.RequestIdHeader]) ?? RequestId.New();
            using var current = RequestId.Push(requestId);
            using var scope = logger.BeginScope(new Dictionary<string, object> { [RequestId.PropertyName] = requestId });
            var response = _operations.TryGetValue(msg.Subject, out var operation)
                ? await dispatcher.DispatchAsync(operation, ToRequest(msg, requestId), stoppingToken)
                : ApiDispatcher.Problem(ApiProblem.NotFound($"No operation is served on '{msg.Subject}'."));

            var replyHeaders = new NatsHeaders
            {
                [ApiSubjects.StatusHeader] = response.Status.ToString(CultureInfo.InvariantCulture),
                [ApiSubjects.RequestIdHeader] = requestId,
            };
            if (response.ContentType is not null)
            {
                replyHeaders[ApiSubjects.ContentTypeHeader] = response.ContentType;
            }

            if (response.Location is not null)
            {
                replyHeaders[ApiSubjects.LocationHeader] = response.Location;
            }

            await msg.ReplyAsync(response.Body, replyHeaders, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; the requester times out and retries elsewhere.
        }
#pragma warning disable CA1031 // A failed reply (NATS gone mid-request) must not crash the transport; the requester times out.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReplyFailed(logger, msg.Subject, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    private ApiRequest ToRequest(NatsMsg msg, string requestId)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string? authorization = null, idempotencyKey = null, contentType = null;
        if (msg.Headers is { } headers)
        {
            foreach (var (name, values) in headers)
            {
                if (name.StartsWith(ApiSubjects.ParameterHeaderPrefix, StringComparison.OrdinalIgnoreCase) && values.Count > 0)
                {
                    parameters[name[ApiSubjects.ParameterHeaderPrefix.Length..]] = values[0];
                }
            }

            authorization = headers[ApiSubjects.AuthorizationHeader];
            idempotencyKey = headers[ApiSubjects.IdempotencyKeyHeader];
            contentType = headers[ApiSubjects.ContentTypeHeader];
        }

        return new ApiRequest
        {
            Parameters = parameters,
            Authorization = authorization,
            IdempotencyKey = idempotencyKey,
            ContentType = contentType,
            RequestId = requestId,
            Body = msg.Data.Length > options.Value.MaxBodyBytes ? null : msg.Data,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving the API over NATS on {Subject} in queue group {QueueGroup}")]
    private static partial void LogSubscribed(ILogger logger, string subject, string queueGroup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not leave the NATS queue group cleanly while draining: {Reason}")]
    private static partial void LogDrainFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not answer the NATS request on {Subject}: {Reason}")]
    private static partial void LogReplyFailed(ILogger logger, string subject, string reason);
}
