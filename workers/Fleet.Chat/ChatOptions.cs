using System.ComponentModel.DataAnnotations;

namespace Fleet.Chat;

/// <summary>The chat worker's settings and limits (section <c>Chat</c>, variables <c>FLEET_CHAT__…</c>).</summary>
internal sealed class ChatOptions
{
    public const string SectionName = "Chat";

    /// <summary>The largest client frame; a bigger one closes the connection with 1009 (message too big).</summary>
    [Range(256, 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = 16 * 1024;

    /// <summary>The longest message body in characters; longer ones get an error frame.</summary>
    [Range(1, 64 * 1024)]
    public int MaxBodyLength { get; set; } = 4000;

    /// <summary>Sustained client frames per second per connection (token bucket refill rate).</summary>
    [Range(0.1, 100_000)]
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>The token bucket's size: how many frames a client may send at once after being quiet.</summary>
    [Range(1, 100_000)]
    public int MessageBurst { get; set; } = 20;

    /// <summary>How many rooms one connection may be in at once.</summary>
    [Range(1, 10_000)]
    public int MaxRoomsPerConnection { get; set; } = 50;

    /// <summary>
    /// WebSocket connections one instance accepts; more get 503 so clients back off and HAProxy's leastconn
    /// sends them elsewhere. The default fits a 256 MiB container with room to spare (see bench/RESULTS.md).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Frames waiting for one client's socket; a client that lets it fill is disconnected (slow consumer).</summary>
    [Range(1, 100_000)]
    public int SendQueueCapacity { get; set; } = 256;

    /// <summary>How long a slow client gets to take its close frame before its socket is aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan SlowClientCloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>WebSocket ping interval; a peer that does not answer within the same time again is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A connection that sends no frame (not even <c>ping</c>) for this long is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest gap a resuming client gets replayed; beyond it, recovered=false and the latest page.</summary>
    [Range(1, 100_000)]
    public int RecoveryCap { get; set; } = 1000;

    /// <summary>How many messages a history page (and the page of a non-recovered join) holds at most.</summary>
    [Range(1, 1000)]
    public int HistoryPageSize { get; set; } = 50;

    /// <summary>How often each instance repeats its presence per room.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PresenceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many missed heartbeats an instance's members vanish (it crashed or lost NATS).</summary>
    [Range(2, 100)]
    public int PresenceMissedHeartbeats { get; set; } = 3;

    /// <summary>The upper bound of the reconnect delay hint sent on drain; each client gets a random share.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ReconnectJitter { get; set; } = TimeSpan.FromSeconds(5);
}
