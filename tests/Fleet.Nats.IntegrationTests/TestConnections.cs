using Microsoft.Extensions.Logging;

namespace Fleet.Nats.IntegrationTests;

internal static class TestConnections
{
    /// <summary>Every test finishes well within this, or fails instead of hanging.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task<NatsConnection> ConnectAsync(
        string url, CancellationToken cancellationToken, Action<NatsOptions>? configure = null, ILogger<NatsConnection>? logger = null)
    {
        // Generous connect timeout: the test machine is shared and often heavily loaded.
        var options = new NatsOptions { Servers = [url], Name = "fleet-nats-tests", ConnectTimeout = TimeSpan.FromSeconds(10), DrainTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        var connection = new NatsConnection(options, logger);
        try
        {
            await connection.ConnectAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes when the connection reaches the state (or already is in it).</summary>
    public static Task WaitForStateAsync(NatsConnection connection, NatsConnectionState state, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, current) =>
        {
            if (current == state)
            {
                reached.TrySetResult();
            }
        };
        if (connection.State == state)
        {
            reached.TrySetResult();
        }

        return reached.Task.WaitAsync(cancellationToken);
    }

    public static async Task<List<NatsMsg>> ReadAsync(NatsSubscription subscription, int count, CancellationToken cancellationToken)
    {
        var messages = new List<NatsMsg>(count);
        while (messages.Count < count)
        {
            messages.Add(await subscription.Msgs.ReadAsync(cancellationToken));
        }

        return messages;
    }
}
