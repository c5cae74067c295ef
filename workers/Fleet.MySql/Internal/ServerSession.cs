using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Runtime.CompilerServices;

namespace Fleet.MySql.Internal;

/// <summary>
/// One authenticated server connection: socket, packet framing, handshake and the text-protocol command cycle.
/// A session is used by one caller at a time (the pool hands it to a single MySqlConnection).
/// </summary>
internal sealed partial class ServerSession : IDisposable
{
    // 16 MiB: what we announce as the largest packet we accept; payloads above it arrive split anyway.
    private const uint MaxPacketSize = 16 * 1024 * 1024;

    private readonly PayloadWriter _writer = new(1024);
    private Socket? _socket;

    // The socket's stream under any TLS: disposing it wakes a read waiting on the loop, which closing the socket would not.
    private Stream? _transport;
    private PacketChannel? _channel;
    private CapabilityFlags _capabilities;
    private bool _isTls;
    private int _disposed;
    private ColumnDefinition[]? _cachedColumns;
    private byte[][]? _cachedColumnPayloads;
    private CancellationTokenSource? _spareSource1;
    private CancellationTokenSource? _spareSource2;

    public ServerSession(ConnectionSettings settings, ConnectionPool? pool, int generation)
    {
        Settings = settings;
        Pool = pool;
        Generation = generation;
        CreatedTimestamp = Stopwatch.GetTimestamp();
    }

    public ConnectionSettings Settings { get; }

    public ConnectionPool? Pool { get; }

    /// <summary>The pool generation this session belongs to; ClearPool bumps the pool's, retiring older sessions.</summary>
    public int Generation { get; }

    public long CreatedTimestamp { get; }

    public long LastReturnedTimestamp { get; set; }

    public int ConnectionId { get; private set; }

    public string ServerVersion { get; private set; } = string.Empty;

    public ServerStatus Status { get; private set; }

    public bool NoBackslashEscapes => (Status & ServerStatus.NoBackslashEscapes) != 0;

    public bool IsMultiStatementsEnabled => (_capabilities & CapabilityFlags.MultiStatements) != 0;

    /// <summary>Session state may differ from a fresh login (SET, USE, transaction, user variables...).</summary>
    public bool IsDirty { get; set; }

    /// <summary>The current database may differ from the connection string's.</summary>
    public bool DatabaseChanged { get; set; }

    public bool IsBroken => _channel is null || _channel.IsBroken || Volatile.Read(ref _disposed) != 0;

    public bool IsTls => _isTls;

    /// <summary>Where each field of the current row starts, shared by the session's successive data readers.</summary>
    public int[] FieldOffsets { get; set; } = new int[16];

    /// <summary>Each field's length in the current row, -1 for NULL.</summary>
    public int[] FieldLengths { get; set; } = new int[16];

    // Results of the last OK packet.
    public ulong AffectedRows { get; private set; }

    public ulong LastInsertId { get; private set; }

    public int WarningCount { get; private set; }

    // Connection Timeout may be set up to int.MaxValue seconds; milliseconds beyond int.MaxValue mean no limit anyway.
    private int ConnectionTimeoutMilliseconds => (int)Math.Min(Settings.ConnectionTimeout * 1000L, int.MaxValue);

    private PacketChannel Channel => _channel ?? throw new InvalidOperationException("The session is not connected.");

    public async ValueTask ConnectAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource();
        if (Settings.ConnectionTimeout > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(Settings.ConnectionTimeout));
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var stream = await OpenStreamAsync(ioAsync, linked.Token);
            _channel = new PacketChannel(stream);

            // A sync Open cannot pass a token to Stream.Read: a receive timeout bounds the handshake instead.
            if (!ioAsync && Settings.ConnectionTimeout > 0)
            {
                _transport!.ReadTimeout = ConnectionTimeoutMilliseconds;
            }

            using (linked.Token.Register(static state => ((ServerSession)state!).Abort(), this))
            {
                await HandshakeAsync(ioAsync, linked.Token);
            }

            _transport!.ReadTimeout = Timeout.Infinite;
            if (IsBroken)
            {
                throw new OperationCanceledException(linked.Token);
            }
        }
        catch (Exception ex)
        {
            Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("Opening the connection was canceled.", ex, cancellationToken);
            }

            if (timeout.IsCancellationRequested)
            {
                throw new MySqlException(
                    MySqlErrorCodes.UnableToConnectToHost,
                    null,
                    $"Connect Timeout expired: no completed handshake with {Describe()} within {Settings.ConnectionTimeout} s.",
                    ex);
            }

            if (ex is SocketException or IOException or MySqlProtocolException or AuthenticationException or ObjectDisposedException)
            {
                throw new MySqlException(
                    ex is AuthenticationException ? MySqlErrorCodes.SslConnectionError : MySqlErrorCodes.UnableToConnectToHost,
                    null,
                    $"Unable to connect to {Describe()}: {ex.Message}",
                    ex);
            }

            throw;
        }
    }

    /// <summary>
    /// A cancellation source for one command (timeout or abort), reused across commands: a CTS with a timer is
    /// the largest per-query allocation otherwise. Only the session's current user calls this, so no locking.
    /// </summary>
    public CancellationTokenSource RentCancellationSource()
    {
        var source = _spareSource1 ?? _spareSource2;
        if (source is null)
        {
            return new CancellationTokenSource();
        }

        if (ReferenceEquals(source, _spareSource1))
        {
            _spareSource1 = null;
        }
        else
        {
            _spareSource2 = null;
        }

        return source;
    }

    /// <summary>Keeps a source for the next command if it was never cancelled (TryReset also stops its timer).</summary>
    public void ReturnCancellationSource(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            source.Dispose();
        }
        else if (_spareSource1 is null)
        {
            _spareSource1 = source;
        }
        else if (_spareSource2 is null)
        {
            _spareSource2 = source;
        }
        else
        {
            source.Dispose();
        }
    }

    /// <summary>Starts a command: clears the shared writer and writes the command byte.</summary>
    public PayloadWriter BeginCommand(byte command)
    {
        _writer.Clear();
        _writer.WriteByte(command);
        return _writer;
    }

    public ValueTask SendCommandAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        Channel.Sequence = 0;
        return Channel.WritePayloadAsync(_writer, ioAsync, cancellationToken);
    }

    /// <summary>
    /// Reads the first packet of a command's response: the column definitions of a result set, or null for an OK
    /// packet (whose counters are then in <see cref="AffectedRows"/> and friends).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ColumnDefinition[]?> ReadResultHeaderAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        var payload = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
        var first = payload.Span[0];
        if (first == 0x00)
        {
            ReadOk(payload.Span);
            return null;
        }

        if (first == 0xFF)
        {
            Status &= ~ServerStatus.MoreResultsExist;
            throw CreateServerException(payload.Span);
        }

        if (first == 0xFB)
        {
            // LOCAL INFILE request: refuse by sending an empty packet, then read the server's answer.
            _writer.Clear();
            await Channel.WritePayloadAsync(_writer, ioAsync, cancellationToken);
            await ReadOkOrThrowAsync(ioAsync, cancellationToken);
            throw new MySqlException(MySqlErrorCodes.MalformedPacket, null, "LOAD DATA LOCAL INFILE is not supported.");
        }

        var count = ReadColumnCount(payload.Span);

        // Pooled sessions mostly run the same few queries: when the column definitions are byte-for-byte those of
        // the previous result set, its parsed columns (and their name strings) are reused instead of reallocated.
        var cached = _cachedColumns is { } previous && previous.Length == count ? previous : null;
        var columns = cached ?? new ColumnDefinition[count];
        var payloads = cached is null ? new byte[count][] : null;
        for (var i = 0; i < count; i++)
        {
            var definition = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
            if (cached is not null && definition.Span.SequenceEqual(_cachedColumnPayloads![i]))
            {
                continue;
            }

            if (cached is not null)
            {
                // The first difference: copy what matched so far, and never modify the cached array.
                columns = new ColumnDefinition[count];
                cached.AsSpan(0, i).CopyTo(columns);
                payloads = new byte[count][];
                _cachedColumnPayloads.AsSpan(0, i).CopyTo(payloads);
                cached = null;
            }

            columns[i] = ColumnDefinition.Parse(definition.Span, Settings.TreatTinyAsBoolean);
            payloads![i] = definition.ToArray();
        }

        if (cached is null)
        {
            _cachedColumns = columns;
            _cachedColumnPayloads = payloads;
        }

        if ((_capabilities & CapabilityFlags.DeprecateEof) == 0)
        {
            var eof = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
            ReadEof(eof.Span);
        }

        return columns;
    }

    /// <summary>Reads the next row of the current result set; an empty result means the set has ended.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>?> ReadRowAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        var payload = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
        var span = payload.Span;

        // A row can only start with 0xFE when its first field is 16 MiB or more, i.e. a much longer packet.
        if (span[0] == 0xFE && span.Length < ProtocolNumbers.MaxPacketPayload)
        {
            if ((_capabilities & CapabilityFlags.DeprecateEof) != 0)
            {
                ReadOk(span);
            }
            else
            {
                ReadEof(span);
            }

            return null;
        }

        if (span[0] == 0xFF)
        {
            Status &= ~ServerStatus.MoreResultsExist;
            throw CreateServerException(span);
        }

        return payload;
    }

    /// <summary>Runs a statement that returns no rows (COMMIT, SET ...) and returns when its OK arrives.</summary>
    public async ValueTask ExecuteSimpleAsync(string sql, bool ioAsync, CancellationToken cancellationToken)
    {
        BeginCommand(CommandByte.Query).WriteUtf8(sql);
        await SendCommandAsync(ioAsync, cancellationToken);
        await ReadOkOrThrowAsync(ioAsync, cancellationToken);
    }

    /// <summary>COM_RESET_CONNECTION, plus COM_INIT_DB if the database was changed, so a pooled session is clean.</summary>
    public async ValueTask ResetAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        BeginCommand(CommandByte.ResetConnection);
        await SendCommandAsync(ioAsync, cancellationToken);
        await ReadOkOrThrowAsync(ioAsync, cancellationToken);
        if (DatabaseChanged && Settings.Database.Length > 0)
        {
            await InitDatabaseAsync(Settings.Database, ioAsync, cancellationToken);
        }

        IsDirty = false;
        DatabaseChanged = false;
    }

    public async ValueTask InitDatabaseAsync(string database, bool ioAsync, CancellationToken cancellationToken)
    {
        BeginCommand(CommandByte.InitDb).WriteUtf8(database);
        await SendCommandAsync(ioAsync, cancellationToken);
        await ReadOkOrThrowAsync(ioAsync, cancellationToken);
    }

    /// <summary>
    /// A cheap liveness probe with no round trip: a socket that polls readable while nothing was asked has been
    /// closed by the server (or holds unexpected bytes); either way it must not be reused.
    /// </summary>
    public bool LooksAlive()
    {
        if (IsBroken || _socket is null)
        {
            return false;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes the socket at once; a pending read then fails and the session counts as broken.</summary>
    public void Abort()
    {
        _channel?.MarkBroken();
        try
        {
            _transport?.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_channel is { IsBroken: false } && _socket is { Connected: true })
        {
            try
            {
                // Best effort COM_QUIT so the server logs a clean disconnect rather than an aborted one.
                // Five bytes through the channel (TLS-aware); a socket send buffer always has room for them.
                BeginCommand(CommandByte.Quit);
                _channel.Sequence = 0;
                SyncIO.Wait(_channel.WritePayloadAsync(_writer, ioAsync: false, CancellationToken.None));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // The server is gone already; nothing to tell it.
            }
        }

        _channel?.Dispose();
        _transport?.Dispose();
        _writer.Dispose();
        _spareSource1?.Dispose();
        _spareSource2?.Dispose();
    }

    /// <summary>Opens a side connection and runs KILL QUERY for <paramref name="connectionId"/> (command cancellation).</summary>
    public static async Task KillQueryAsync(ConnectionSettings settings, int connectionId)
    {
        var sideSettings = settings.ForSideConnection();

        // The whole side conversation is bounded: a server that accepts but never answers must not leak this task.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(sideSettings.ConnectionTimeout));
        using var session = new ServerSession(sideSettings, null, 0);
        await session.ConnectAsync(ioAsync: true, timeout.Token);
        using var abort = timeout.Token.Register(static state => ((ServerSession)state!).Abort(), session);
        await session.ExecuteSimpleAsync(
            "KILL QUERY " + connectionId.ToString(CultureInfo.InvariantCulture), ioAsync: true, timeout.Token);
    }

    internal async ValueTask ReadOkOrThrowAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        var payload = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
        if (payload.Span[0] == 0xFF)
        {
            throw CreateServerException(payload.Span);
        }

        if (payload.Span[0] != 0x00)
        {
            throw new MySqlProtocolException($"Expected an OK packet, got 0x{payload.Span[0]:X2}.");
        }

        ReadOk(payload.Span);
    }

    internal static MySqlException CreateServerException(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        reader.ReadByte();
        var code = reader.ReadUInt16();
        string? sqlState = null;
        if (reader.Remaining > 0 && payload[reader.Offset] == (byte)'#')
        {
            reader.ReadByte();
            sqlState = Encoding.ASCII.GetString(reader.ReadBytes(5));
        }

        var message = Encoding.UTF8.GetString(reader.ReadRest());
        return new MySqlException(code, sqlState, message);
    }

    private static int ReadColumnCount(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var count = reader.ReadLengthEncodedInteger();
        if (count == 0 || count > 4096)
        {
            throw new MySqlProtocolException($"Invalid column count {count}.");
        }

        return (int)count;
    }

    private void ReadOk(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        reader.ReadByte();
        AffectedRows = reader.ReadLengthEncodedInteger();
        LastInsertId = reader.ReadLengthEncodedInteger();
        Status = (ServerStatus)reader.ReadUInt16();
        WarningCount = reader.ReadUInt16();
    }

    private void ReadEof(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        if (reader.ReadByte() != 0xFE)
        {
            throw new MySqlProtocolException("Expected an EOF packet.");
        }

        WarningCount = reader.ReadUInt16();
        Status = (ServerStatus)reader.ReadUInt16();
    }

    private string Describe() => Settings.UnixSocket is { } path
        ? "unix socket " + path
        : string.Join(",", Settings.Hosts) + ":" + Settings.Port.ToString(CultureInfo.InvariantCulture);

    private async ValueTask<Stream> OpenStreamAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        if (Settings.UnixSocket is { } path)
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            return await ConnectSocketAsync(unix, new UnixDomainSocketEndPoint(path), ioAsync, cancellationToken);
        }

        Exception? last = null;
        foreach (var host in Settings.Hosts)
        {
            var addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : ioAsync ? await Dns.GetHostAddressesAsync(host, cancellationToken) : Dns.GetHostAddresses(host);
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                    return await ConnectSocketAsync(socket, new IPEndPoint(address, Settings.Port), ioAsync, cancellationToken);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Connects <paramref name="socket"/> and returns its stream (disposing the socket if that fails). On the socket loop
    /// the connect is non-blocking and waited on by the loop: the runtime's own async connect would register the socket
    /// with the runtime's epoll as well, which would then wake for every response too.
    /// </summary>
    private async ValueTask<Stream> ConnectSocketAsync(Socket socket, EndPoint endPoint, bool ioAsync, CancellationToken cancellationToken)
    {
        try
        {
            if (SocketLoop.IsSupported)
            {
                // A Unix socket never reports "in progress": it connects at once, or says EAGAIN when the server's
                // backlog is full, which fails the open at once, as the runtime's async connect does.
                socket.Blocking = false;
                var pending = false;
                try
                {
                    socket.Connect(endPoint);
                }
                catch (SocketException ex) when (endPoint is not UnixDomainSocketEndPoint
                    && ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    pending = true;
                }

                var stream = new LoopSocketStream(socket);
                _socket = socket;
                _transport = stream;
                if (pending)
                {
                    await stream.CompleteConnectAsync(ioAsync, ConnectionTimeoutMilliseconds, cancellationToken);
                }

                return stream;
            }

            if (ioAsync)
            {
                await socket.ConnectAsync(endPoint, cancellationToken);
            }
            else
            {
                socket.Connect(endPoint);
            }

            _socket = socket;
            _transport = new NetworkStream(socket, ownsSocket: true);
            return _transport;
        }
        catch
        {
            _transport?.Dispose();
            _transport = null;
            _socket = null;
            socket.Dispose();
            throw;
        }
    }

    private async ValueTask StartTlsAsync(string? targetHost, bool ioAsync, CancellationToken cancellationToken)
    {
        var mode = Settings.SslMode;
        using var customCa = Settings.SslCa is { } caPath ? X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caPath, cancellationToken)) : null;
        var ssl = new SslStream(_transport!, leaveInnerStreamOpen: true, (_, certificate, _, errors) =>
        {
            if (mode is MySqlSslMode.Preferred or MySqlSslMode.Required)
            {
                return true; // encrypt without authenticating the server, as MySQL's own client does in these modes
            }

            if (customCa is not null && certificate is not null)
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(customCa);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                errors = chain.Build(presented)
                    ? errors & ~SslPolicyErrors.RemoteCertificateChainErrors
                    : errors | SslPolicyErrors.RemoteCertificateChainErrors;
            }

            return mode == MySqlSslMode.VerifyFull
                ? errors == SslPolicyErrors.None
                : (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        });
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost ?? "localhost",
            EnabledSslProtocols = SslProtocols.None, // let the OS choose among the versions it considers secure
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        try
        {
            if (ioAsync)
            {
                await ssl.AuthenticateAsClientAsync(options, cancellationToken);
            }
            else
            {
                ssl.AuthenticateAsClient(options);
            }
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        Channel.ReplaceStream(ssl);
        _isTls = true;
    }
}
