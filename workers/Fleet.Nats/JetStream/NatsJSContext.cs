using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fleet.Nats.JetStream;

/// <summary>
/// JetStream on top of a core <see cref="NatsConnection"/>: stream and consumer management through the
/// <c>$JS.API</c> request/reply subjects, acknowledged publishing, and pull fetching. The context holds no
/// state of its own besides the connection, so it is cheap to create and safe to share between threads.
/// </summary>
public sealed partial class NatsJSContext
{
    /// <summary>The API prefix of a server without a JetStream domain.</summary>
    public const string DefaultApiPrefix = "$JS.API";

    private readonly NatsConnection _connection;

    /// <summary>Creates a context that sends JetStream API requests over <paramref name="connection"/>.</summary>
    /// <param name="connection">The core connection; the context does not own or dispose it.</param>
    /// <param name="apiPrefix">
    /// The API subject prefix: <c>$JS.API</c>, or <c>$JS.&lt;domain&gt;.API</c> to reach another JetStream domain.
    /// </param>
    public NatsJSContext(NatsConnection connection, string apiPrefix = DefaultApiPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiPrefix);
        _connection = connection;
        ApiPrefix = apiPrefix.TrimEnd('.');
    }

    /// <summary>The connection the context uses.</summary>
    public NatsConnection Connection => _connection;

    /// <summary>The API subject prefix, without a trailing dot.</summary>
    public string ApiPrefix { get; }

    private async Task<TResponse> RequestAsync<TRequest, TResponse>(
        string api,
        TRequest? request,
        JsonTypeInfo<TRequest> requestTypeInfo,
        JsonTypeInfo<TResponse> responseTypeInfo,
        CancellationToken cancellationToken)
    {
        var body = request is null ? ReadOnlyMemory<byte>.Empty : JsonSerializer.SerializeToUtf8Bytes(request, requestTypeInfo);
        return await RequestAsync(api, body, responseTypeInfo, cancellationToken);
    }

    private async Task<TResponse> RequestAsync<TResponse>(
        string api,
        ReadOnlyMemory<byte> body,
        JsonTypeInfo<TResponse> responseTypeInfo,
        CancellationToken cancellationToken)
    {
        var subject = $"{ApiPrefix}.{api}";
        NatsMsg reply;
        try
        {
            reply = await _connection.RequestAsync(subject, body, headers: null, timeout: null, cancellationToken);
        }
        catch (NatsNoRespondersException ex)
        {
            throw new NatsJSException(DescribeNoResponders(subject), ex);
        }

        if (reply.Headers?.StatusCode is 503)
        {
            throw new NatsJSException(DescribeNoResponders(subject));
        }

        return NatsJSApiResponse.Parse(reply.Data.Span, responseTypeInfo);
    }

    private string DescribeNoResponders(string subject) =>
        _connection.ServerInfo is { JetStream: false } info
            ? $"Nothing answers {subject}: JetStream is not enabled on server {info.ServerName} (start nats-server with -js)."
            : $"Nothing answers {subject}: JetStream is not enabled for this account, or the API prefix is wrong.";

    /// <summary>
    /// Stream and consumer names become subject tokens, so a dot or wildcard would address another API
    /// call entirely; the server's own rules are the same.
    /// </summary>
    private static void ValidateName(string? name, string paramName, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"The {what} name must not be empty.", paramName);
        }

        foreach (var c in name)
        {
            if (c is '.' or '*' or '>' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw new ArgumentException($"The {what} name '{name}' must not contain dots, wildcards or whitespace.", paramName);
            }
        }
    }
}
