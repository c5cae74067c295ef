using Fleet.Nats;
using Fleet.Nats.JetStream;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// Creates the event streams up front with the API relay's definition. Each sync host consumes its own stream; the
/// pull hosts' streams stay empty (their logs are seeded), and without a stream their consumers would only retry.
/// </summary>
internal static class EventStreams
{
    public static string PrefixOf(string stream) => stream.ToLowerInvariant().Replace("_", string.Empty, StringComparison.Ordinal);

    public static async Task CreateAsync(string natsUrl, IEnumerable<string> streams, CancellationToken cancellationToken)
    {
        await using var connection = new NatsConnection(new NatsOptions { Servers = [natsUrl] });
        await connection.ConnectAsync(cancellationToken);
        var js = new NatsJSContext(connection);
        foreach (var stream in streams)
        {
            await js.CreateOrUpdateStreamAsync(
                new NatsJSStreamConfig { Name = stream, Subjects = [PrefixOf(stream) + ".>"], Storage = NatsJSStorageType.File, DuplicateWindow = TimeSpan.FromHours(1) },
                cancellationToken);
        }
    }
}
