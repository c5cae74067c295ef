using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Reflection;
using System.Security.Cryptography;
using Fleet.Nats.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Nats;

/// <summary>
/// A connection to NATS that survives server restarts: it reconnects over the configured servers and the
/// announced <c>connect_urls</c>, re-subscribes, and replays the publishes buffered meanwhile.
/// All members are thread-safe. Dispose drains: unsubscribe, flush, let queued messages be read, close.
/// </summary>
public sealed partial class NatsConnection : IAsyncDisposable
{
    private static readonly string ClientVersion =
        typeof(NatsConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0";

    private static readonly SearchValues<char> SubjectWhitespace = SearchValues.Create(" \t\r\n");

    private readonly NatsOptions _options;
    private readonly ILogger<NatsConnection> _logger;
    private readonly ConcurrentDictionary<long, NatsSubscription> _subscriptions = new();
    private readonly CancellationTokenSource _disposeCancellation = new();

    // Every connect_url any server announced, kept for later reconnects: the server we are on may not list itself,
    // and the one that announced a peer may be the one that is gone.
    private readonly List<string> _discoveredServers = [];

    // Guards changes to _state, _current, _closedError and the dispose flag: the few transitions that must be atomic
    // together. _state and _closedError are volatile so that the publish path and State read them without the lock.
    private readonly Lock _stateLock = new();
    private volatile NatsConnectionState _state = NatsConnectionState.Closed;
    private ServerConnection? _current;
    private volatile Exception? _closedError;
    private bool _disposeStarted;
    private Task _reconnectTask = Task.CompletedTask;
    private volatile NatsServerInfo? _serverInfo;

    // Set by the first successful handshake. Until then publishes would only pile up in the buffer for a
    // connection that may never exist, so they throw instead.
    private volatile bool _connectedOnce;
    private long _nextSid;
    private int _pingsOut;

    /// <summary>Creates an unconnected client; call <see cref="ConnectAsync"/> next.</summary>
    public NatsConnection(NatsOptions options, ILogger<NatsConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("NatsOptions.Servers lists no server.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.SubscriptionCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReconnectBufferBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPingsOut, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxReconnectAttempts, -1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PingInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReconnectWaitMin, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DrainTimeout, TimeSpan.Zero, nameof(options));
        _options = options;
        _logger = logger ?? NullLogger<NatsConnection>.Instance;
        _outbound = CreateOutboundPipe(options);
    }

    /// <summary>Raised after every state change, on the thread that caused it; handlers must not block.</summary>
    public event EventHandler<NatsConnectionState>? StateChanged;

    /// <summary>Raised for every <c>-ERR</c> the server sends (permission violations included).</summary>
    public event EventHandler<NatsServerErrorException>? ServerError;

    /// <summary>The current state.</summary>
    public NatsConnectionState State => _state;

    /// <summary>What the server announced most recently, or null before the first connection.</summary>
    public NatsServerInfo? ServerInfo => _serverInfo;

    /// <summary>The most recent <c>-ERR</c> from the server, or null.</summary>
    public NatsServerErrorException? LastError { get; private set; }

    /// <summary>The options this connection was created with.</summary>
    public NatsOptions Options => _options;

    /// <summary>
    /// Connects to the first reachable server. Fails fast: if no configured server accepts the handshake, it throws
    /// (the server's <see cref="NatsServerErrorException"/> for a refused login, otherwise a <see cref="NatsException"/>)
    /// instead of retrying. Reconnecting later is automatic. Does nothing if already connected; a connection that
    /// ran out of <see cref="NatsOptions.MaxReconnectAttempts"/> is closed for good and throws.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_disposeStarted, this);
            if (_closedError is not null)
            {
                throw new NatsException($"This NATS connection closed for good ({_closedError.Message}); create a new one.", _closedError);
            }

            if (_state is NatsConnectionState.Connected or NatsConnectionState.Reconnecting)
            {
                return;
            }

            if (_state == NatsConnectionState.Connecting)
            {
                throw new InvalidOperationException("ConnectAsync is already running on this connection.");
            }

            _state = NatsConnectionState.Connecting;
        }

        RaiseStateChanged(NatsConnectionState.Connecting);
        Exception? lastError = null;
        NatsServerErrorException? serverError = null;
        foreach (var server in GetServerCandidates())
        {
            try
            {
                var connection = await EstablishAsync(server, resubscribe: false, cancellationToken);
                if (Activate(connection))
                {
                    _logger.LogInformation("Connected to NATS at {Server} (server {ServerId}, version {ServerVersion})", server, _serverInfo?.ServerId, _serverInfo?.Version);
                    return;
                }

                await connection.DisposeAsync();
                throw new ObjectDisposedException(nameof(NatsConnection));
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not ObjectDisposedException)
            {
                lastError = ex;
                serverError ??= ex as NatsServerErrorException;
                _logger.LogWarning("Could not connect to NATS at {Server}: {Reason}", server, ex.Message);
            }
            catch
            {
                SetState(NatsConnectionState.Closed);
                throw;
            }
        }

        SetState(NatsConnectionState.Closed);
        throw serverError ?? new NatsException(
            $"Could not connect to any NATS server ({string.Join(", ", _options.Servers)}): {lastError?.Message}", lastError!);
    }

    /// <summary>A new unique inbox subject, <c>_INBOX.&lt;22 random characters&gt;</c>.</summary>
#pragma warning disable CA1822 // An instance member by contract: callers reach it through the connection they hold.
    public string NewInbox() =>
        "_INBOX." + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 22);
#pragma warning restore CA1822

    /// <summary>
    /// Drains and closes: unsubscribes everything, flushes pending writes with a PING/PONG round trip, completes the
    /// subscription channels and waits (up to <see cref="NatsOptions.DrainTimeout"/>) for their queued messages to be
    /// read, then closes the socket.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_stateLock)
        {
            if (_disposeStarted)
            {
                return;
            }

            _disposeStarted = true;
        }

        using var drain = new CancellationTokenSource(_options.DrainTimeout);
        var subscriptions = _subscriptions.Values.ToArray();
        if (State == NatsConnectionState.Connected)
        {
            try
            {
                foreach (var subscription in subscriptions)
                {
                    if (subscription.MarkUnsubscribed())
                    {
                        await WriteUnsubscribeAsync(subscription.Sid, drain.Token);
                    }
                }

                // After this PONG every message sent before our UNSUBs has been dispatched and every publish is on the wire.
                await FlushAsync(drain.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or NatsException or ObjectDisposedException)
            {
                _logger.LogWarning("NATS drain could not flush within {DrainTimeout}: {Reason}", _options.DrainTimeout, ex.Message);
            }
        }

        foreach (var subscription in subscriptions)
        {
            _subscriptions.TryRemove(subscription.Sid, out _);
            subscription.MarkUnsubscribed();
            subscription.Complete();
        }

        try
        {
            await Task.WhenAll(subscriptions.Select(s => s.WaitUntilConsumedAsync(drain.Token)));
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning(
                "NATS drain timed out after {DrainTimeout}: {Count} subscriptions still had unread messages",
                _options.DrainTimeout, subscriptions.Count(s => s.Msgs.Count > 0));
        }

        await CloseAsync(new ObjectDisposedException(nameof(NatsConnection), "The NATS connection was disposed."));
        _disposeCancellation.Dispose();
        _writeGate.Dispose();
    }

    private static void ValidateSubject(string subject, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject, parameterName);
        if (subject.AsSpan().IndexOfAny(SubjectWhitespace) >= 0)
        {
            throw new ArgumentException($"The subject '{subject}' contains whitespace.", parameterName);
        }
    }

    private void OnServerInfo(ReadOnlySpan<byte> json)
    {
        var info = NatsServerInfo.Parse(json);
        lock (_discoveredServers)
        {
            foreach (var url in info.ConnectUrls)
            {
                if (!_discoveredServers.Contains(url, StringComparer.OrdinalIgnoreCase))
                {
                    _discoveredServers.Add(url);
                }
            }
        }

        _serverInfo = info;
    }

    private void SetState(NatsConnectionState state)
    {
        lock (_stateLock)
        {
            _state = state;
        }

        RaiseStateChanged(state);
    }

    private void RaiseStateChanged(NatsConnectionState state)
    {
        try
        {
            StateChanged?.Invoke(this, state);
        }
        catch (Exception ex)
        {
            // A subscriber's bug must not break the connection's own state machine.
            _logger.LogError(ex, "A NATS StateChanged handler threw");
        }
    }

    private IEnumerable<Uri> GetServerCandidates()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string[] discovered;
        lock (_discoveredServers)
        {
            discovered = [.. _discoveredServers];
        }

        foreach (var url in _options.Servers.Concat(discovered))
        {
            var uri = ParseServerUrl(url);
            if (uri is not null && seen.Add($"{uri.Host}:{uri.Port}"))
            {
                yield return uri;
            }
        }
    }

    private Uri? ParseServerUrl(string url)
    {
        var text = url.Contains("://", StringComparison.Ordinal) ? url : "nats://" + url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            _logger.LogWarning("Ignoring the NATS server URL {Url}: it is not a valid URL", url);
            return null;
        }

        // The default NATS client port, for URLs that leave it out.
        return uri.IsDefaultPort || uri.Port < 0 ? new UriBuilder(uri) { Port = 4222 }.Uri : uri;
    }
}
