using System.Text.Json;
using Fleet.Contracts;
using Fleet.Nats;
using Fleet.Nats.JetStream;

namespace Fleet.Sync.IntegrationTests;

/// <summary>
/// Publishes domain events to a real JetStream stream exactly as the API's outbox relay does (same stream
/// definition, subject, payload and Nats-Msg-Id), for tests that need redelivery and ordering under control.
/// </summary>
public sealed class Events : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static int _counter;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;

    private Events(NatsConnection connection, string stream)
    {
        _connection = connection;
        _js = new NatsJSContext(connection);
        Stream = stream;
    }

    public string Stream { get; }

    public static string NewStreamName() => $"SYNCEV_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";

    public static string PrefixOf(string stream) => "ev" + stream.ToLowerInvariant().Replace("_", string.Empty, StringComparison.Ordinal);

    public static async Task<Events> CreateAsync(string natsUrl, string stream, CancellationToken cancellationToken)
    {
        var connection = new NatsConnection(new NatsOptions { Servers = [natsUrl] });
        await connection.ConnectAsync(cancellationToken);
        var events = new Events(connection, stream);
        await events._js.CreateOrUpdateStreamAsync(
            new NatsJSStreamConfig { Name = stream, Subjects = [PrefixOf(stream) + ".>"], Storage = NatsJSStorageType.File, DuplicateWindow = TimeSpan.FromHours(1) },
            cancellationToken);
        return events;
    }

    public static DomainEvent Post(long id, int version, string text, string region = "eu", bool deleted = false) => new(
        Guid.NewGuid().ToString(),
        deleted ? EventTypes.PostDeleted : version == 1 ? EventTypes.PostCreated : EventTypes.PostUpdated,
        region,
        "post",
        id,
        version,
        DateTimeOffset.UtcNow,
        "test",
        Personal: false,
        deleted ? null : JsonSerializer.SerializeToElement(new { id, topicId = 1, authorId = 1, body = text, version }));

    public static DomainEvent Account(long id, int version, string name, string region = "eu") => new(
        Guid.NewGuid().ToString(),
        version == 1 ? EventTypes.AccountRegistered : EventTypes.AccountProfileUpdated,
        region,
        "account",
        id,
        version,
        DateTimeOffset.UtcNow,
        "test",
        Personal: true,
        JsonSerializer.SerializeToElement(new { id, email = $"u{id}@example.com", displayName = name, version }));

    /// <summary>Publishes <paramref name="domainEvent"/>; <paramref name="msgId"/> defaults to its event id, as the relay does.</summary>
    public async Task PublishAsync(DomainEvent domainEvent, CancellationToken cancellationToken, string? msgId = null)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(domainEvent, Json);
        await _js.PublishAsync(EventSubjects.For(PrefixOf(Stream), domainEvent.Region, domainEvent.Type), payload, msgId ?? domainEvent.EventId, null, cancellationToken);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
