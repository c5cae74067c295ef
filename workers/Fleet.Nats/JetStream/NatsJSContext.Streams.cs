namespace Fleet.Nats.JetStream;

public sealed partial class NatsJSContext
{
    // JSStreamNameExistErr: "stream name already in use with a different configuration". CREATE answers it
    // only when the configuration differs; an identical one just returns the stream's info.
    private const int StreamNameInUseErrorCode = 10058;

    // JSStreamNotFoundErr.
    private const int StreamNotFoundErrorCode = 10059;

    /// <summary>
    /// Creates the stream, or updates it when it exists with a different configuration. Calling it again with
    /// the same configuration changes nothing, so every worker may call it at start-up.
    /// </summary>
    /// <param name="config">The wanted configuration.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answers.</param>
    /// <returns>The stream's configuration (with the server's defaults filled in) and state.</returns>
    /// <exception cref="NatsJSApiException">The server rejected the configuration or the change.</exception>
    public async Task<NatsJSStreamInfo> CreateOrUpdateStreamAsync(NatsJSStreamConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateName(config.Name, nameof(config), "stream");
        try
        {
            return await RequestAsync(
                $"STREAM.CREATE.{config.Name}",
                config,
                NatsJSJsonContext.Default.NatsJSStreamConfig,
                NatsJSJsonContext.Default.NatsJSStreamInfo,
                cancellationToken);
        }
        catch (NatsJSApiException ex) when (ex.ErrorCode == StreamNameInUseErrorCode)
        {
            // Exists with another configuration: fall through to an update, which the server checks for
            // changes it cannot make (storage type, name…) and rejects with its own error.
        }

        return await RequestAsync(
            $"STREAM.UPDATE.{config.Name}",
            config,
            NatsJSJsonContext.Default.NatsJSStreamConfig,
            NatsJSJsonContext.Default.NatsJSStreamInfo,
            cancellationToken);
    }

    /// <summary>Reads a stream's configuration and state.</summary>
    /// <param name="stream">The stream name.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <exception cref="NatsJSApiException">The stream does not exist (code 404, err_code 10059) or the request failed.</exception>
    public Task<NatsJSStreamInfo> GetStreamAsync(string stream, CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        return RequestAsync($"STREAM.INFO.{stream}", ReadOnlyMemory<byte>.Empty, NatsJSJsonContext.Default.NatsJSStreamInfo, cancellationToken);
    }

    /// <summary>Deletes a stream with all its messages and consumers.</summary>
    /// <param name="stream">The stream name.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <returns>True when the stream was deleted, false when it did not exist.</returns>
    /// <exception cref="NatsJSApiException">The server refused the deletion.</exception>
    public async Task<bool> DeleteStreamAsync(string stream, CancellationToken cancellationToken = default)
    {
        ValidateName(stream, nameof(stream), "stream");
        try
        {
            var response = await RequestAsync(
                $"STREAM.DELETE.{stream}",
                ReadOnlyMemory<byte>.Empty,
                NatsJSJsonContext.Default.NatsJSSuccessResponse,
                cancellationToken);
            return response.Success;
        }
        catch (NatsJSApiException ex) when (ex.ErrorCode == StreamNotFoundErrorCode)
        {
            return false;
        }
    }
}
