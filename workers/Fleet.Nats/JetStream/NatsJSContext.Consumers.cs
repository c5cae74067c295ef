namespace Fleet.Nats.JetStream;

public sealed partial class NatsJSContext
{
    // JSConsumerNotFoundErr.
    private const int ConsumerNotFoundErrorCode = 10014;

    /// <summary>
    /// Creates a durable pull consumer on <paramref name="stream"/>, or updates the existing one when the
    /// configuration changed in a way the server allows (ack wait, max deliver, description…). Calling it
    /// again with the same configuration changes nothing.
    /// </summary>
    /// <param name="stream">The stream the consumer reads.</param>
    /// <param name="config">The consumer configuration; <see cref="NatsJSConsumerConfig.DurableName"/> is required.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <returns>The consumer's configuration (with the server's defaults filled in) and progress.</returns>
    /// <exception cref="NatsJSApiException">The stream does not exist or the server rejected the configuration.</exception>
    public Task<NatsJSConsumerInfo> CreateOrUpdateConsumerAsync(string stream, NatsJSConsumerConfig config, CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        ArgumentNullException.ThrowIfNull(config);
        ValidateName(config.DurableName, nameof(config), "durable consumer");

        // CONSUMER.CREATE.<stream>.<name> (nats-server 2.9+) puts the name in the subject, so permissions
        // can be granted per consumer; the server creates a durable or, for an existing one, applies the changes.
        return RequestAsync(
            $"CONSUMER.CREATE.{stream}.{config.DurableName}",
            new NatsJSConsumerCreateRequest { StreamName = stream, Config = config },
            NatsJSJsonContext.Default.NatsJSConsumerCreateRequest,
            NatsJSJsonContext.Default.NatsJSConsumerInfo,
            cancellationToken);
    }

    /// <summary>Reads a consumer's configuration and progress.</summary>
    /// <param name="stream">The stream the consumer reads.</param>
    /// <param name="consumer">The consumer name.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <exception cref="NatsJSApiException">The stream or consumer does not exist (code 404), or the request failed.</exception>
    public Task<NatsJSConsumerInfo> GetConsumerAsync(string stream, string consumer, CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        ValidateName(consumer, nameof(consumer), "consumer");
        return RequestAsync(
            $"CONSUMER.INFO.{stream}.{consumer}",
            ReadOnlyMemory<byte>.Empty,
            NatsJSJsonContext.Default.NatsJSConsumerInfo,
            cancellationToken);
    }

    /// <summary>Deletes a consumer; pull requests waiting on it end with a 409 "Consumer Deleted".</summary>
    /// <param name="stream">The stream the consumer reads.</param>
    /// <param name="consumer">The consumer name.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <returns>True when the consumer was deleted, false when it did not exist.</returns>
    /// <exception cref="NatsJSApiException">The stream does not exist or the server refused the deletion.</exception>
    public async Task<bool> DeleteConsumerAsync(string stream, string consumer, CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        ValidateName(consumer, nameof(consumer), "consumer");
        try
        {
            var response = await RequestAsync(
                $"CONSUMER.DELETE.{stream}.{consumer}",
                ReadOnlyMemory<byte>.Empty,
                NatsJSJsonContext.Default.NatsJSSuccessResponse,
                cancellationToken);
            return response.Success;
        }
        catch (NatsJSApiException ex) when (ex.ErrorCode == ConsumerNotFoundErrorCode)
        {
            return false;
        }
    }
}
