using System.ComponentModel.DataAnnotations;

namespace Fleet.Nats;

/// <summary>Settings of a <see cref="NatsConnection"/>, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class NatsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Nats";

    /// <summary>Server URLs such as <c>nats://127.0.0.1:4222</c>; tried in order, then the INFO <c>connect_urls</c>.</summary>
    [MinLength(1)]
    public IList<string> Servers { get; set; } = ["nats://127.0.0.1:4222"];

    /// <summary>The client name sent in CONNECT, shown by the server's monitoring endpoints.</summary>
    [Required]
    public string Name { get; set; } = "fleet";

    /// <summary>An authentication token, or null.</summary>
    public string? Token { get; set; }

    /// <summary>A user name for user/password authentication, or null.</summary>
    public string? User { get; set; }

    /// <summary>The password that goes with <see cref="User"/>.</summary>
    public string? Password { get; set; }

    /// <summary>How long one attempt to reach a server and finish the INFO/CONNECT/PING handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the client PINGs the server to detect a stale connection.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many PINGs may go unanswered before the connection is considered stale and is replaced.
    /// With <see cref="PingInterval"/> this bounds how long a dead peer goes unnoticed.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxPingsOut { get; set; } = 2;

    /// <summary>The default timeout of <see cref="NatsConnection.RequestAsync"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The shortest wait between two passes over the server list while reconnecting.</summary>
    public TimeSpan ReconnectWaitMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two passes over the server list while reconnecting (before jitter).</summary>
    public TimeSpan ReconnectWaitMax { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many connection attempts a reconnect may make before the connection closes; -1 tries forever.</summary>
    [Range(-1, int.MaxValue)]
    public int MaxReconnectAttempts { get; set; } = -1;

    /// <summary>
    /// How many bytes of publishes may wait while disconnected. Beyond it a publish throws
    /// <see cref="NatsReconnectBufferFullException"/>; it never blocks and never drops silently.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int ReconnectBufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many messages each subscription's channel holds before <see cref="SlowConsumerPolicy"/> applies.</summary>
    [Range(1, int.MaxValue)]
    public int SubscriptionCapacity { get; set; } = 1024;

    /// <summary>What a subscription does when its channel is full.</summary>
    public NatsSlowConsumerPolicy SlowConsumerPolicy { get; set; } = NatsSlowConsumerPolicy.DropNewest;

    /// <summary>How long <see cref="NatsConnection.DisposeAsync"/> may spend draining subscriptions and writes.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
