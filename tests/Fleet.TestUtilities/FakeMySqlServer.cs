using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.TestUtilities;

/// <summary>
/// A scripted MySQL server on a loopback port, for what a real MariaDB cannot do on demand: caching_sha2_password
/// (MySQL 8 only) and dropping the connection mid-handshake. It follows the Client/Server Protocol documentation
/// and verifies the client's proofs the way a server does (from stored hashes), not by recomputing the client side.
/// </summary>
public sealed class FakeMySqlServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly byte[] _scramble = [.. Enumerable.Range(0, 20).Select(i => (byte)(0x21 + i))];
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly string _password;
    private readonly List<string> _events = [];

    public FakeMySqlServer(FakeMySqlBehavior behavior, string password)
    {
        Behavior = behavior;
        _password = password;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public FakeMySqlBehavior Behavior { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What the server saw, in order, for assertions ("fast-auth-ok", "public-key-sent", ...).</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _rsa.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        // Bounded by disposal: AcceptSocketAsync throws once the listener stops.
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        await using (var stream = new NetworkStream(socket))
        {
            try
            {
                await ServeCoreAsync(stream);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
                Record("client-gone");
            }
        }
    }

    private async Task ServeCoreAsync(NetworkStream stream)
    {
        var token = _stop.Token;
        await WritePacketAsync(stream, 0, Greeting(), token);
        if (Behavior == FakeMySqlBehavior.DropAfterGreeting)
        {
            Record("dropped");
            return;
        }

        if (Behavior == FakeMySqlBehavior.HangAfterGreeting)
        {
            Record("hanging");
            await Task.Delay(Timeout.Infinite, token);
        }

        var (sequence, response) = await ReadPacketAsync(stream, token);
        var proof = ParseAuthResponse(response);
        var next = (byte)(sequence + 1);
        if (!VerifyScramble(proof))
        {
            await WritePacketAsync(stream, next, Error(1045, "28000", "Access denied (fake server)"), token);
            Record("denied");
            return;
        }

        if (Behavior is FakeMySqlBehavior.CachingSha2Fast or FakeMySqlBehavior.CachingSha2FastThenHangOnQuery)
        {
            await WritePacketAsync(stream, next++, [0x01, 0x03], token);
            Record("fast-auth-ok");
        }
        else
        {
            await WritePacketAsync(stream, next++, [0x01, 0x04], token);
            var (requestSequence, request) = await ReadPacketAsync(stream, token);
            if (request is not [0x02])
            {
                Record("no-public-key-request");
                return;
            }

            var pem = Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem());
            await WritePacketAsync(stream, (byte)(requestSequence + 1), [0x01, .. pem], token);
            Record("public-key-sent");
            var (encryptedSequence, encrypted) = await ReadPacketAsync(stream, token);
            var plain = _rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
            for (var i = 0; i < plain.Length; i++)
            {
                plain[i] ^= _scramble[i % _scramble.Length];
            }

            next = (byte)(encryptedSequence + 1);
            byte[] expected = [.. Encoding.UTF8.GetBytes(_password), 0];
            if (!plain.AsSpan().SequenceEqual(expected))
            {
                await WritePacketAsync(stream, next, Error(1045, "28000", "Access denied (RSA password mismatch)"), token);
                Record("denied");
                return;
            }

            Record("full-auth-ok");
        }

        // OK: affected 0, insert id 0, status autocommit, no warnings.
        await WritePacketAsync(stream, next, [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], token);

        // Serve until the client quits: answer every command with OK (enough for Open/Close).
        while (true)
        {
            var (_, command) = await ReadPacketAsync(stream, token);
            if (command is [0x01])
            {
                Record("quit");
                return;
            }

            if (Behavior == FakeMySqlBehavior.CachingSha2FastThenHangOnQuery
                && !Encoding.UTF8.GetString(command.AsSpan(1)).StartsWith("KILL", StringComparison.OrdinalIgnoreCase))
            {
                // A query whose answer never comes, as on a network path that silently dropped.
                Record("query-hanging");
                continue;
            }

            Record(command[0] == 0x03 ? "ok:" + Encoding.UTF8.GetString(command.AsSpan(1)) : "ok");
            await WritePacketAsync(stream, 1, [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], token);
        }
    }

    /// <summary>caching_sha2 check from the server's stored SHA256(SHA256(password)): recover SHA256(password), rehash, compare.</summary>
    private bool VerifyScramble(byte[] proof)
    {
        var stored = SHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(_password)));
        if (proof.Length != 32)
        {
            return _password.Length == 0 && proof.Length == 0;
        }

        var mask = SHA256.HashData([.. stored, .. _scramble]);
        var candidate = new byte[32];
        for (var i = 0; i < 32; i++)
        {
            candidate[i] = (byte)(proof[i] ^ mask[i]);
        }

        return SHA256.HashData(candidate).AsSpan().SequenceEqual(stored);
    }

    private static byte[] ParseAuthResponse(byte[] payload)
    {
        // capabilities(4) max packet(4) charset(1) filler(23) user NUL, then length-encoded auth data.
        var offset = 32;
        offset = Array.IndexOf(payload, (byte)0, offset) + 1;
        int length = payload[offset++];
        return payload.AsSpan(offset, length).ToArray();
    }

    private byte[] Greeting()
    {
        var capabilities = (1u << 9) | (1u << 15) | (1u << 19) | (1u << 21) | (1u << 24) | (1u << 13) | (1u << 17);
        using var payload = new MemoryStream();
        payload.WriteByte(10);
        payload.Write("8.0.36-fake\0"u8);
        payload.Write(BitConverter.GetBytes(42));
        payload.Write(_scramble.AsSpan(0, 8));
        payload.WriteByte(0);
        payload.Write(BitConverter.GetBytes((ushort)capabilities));
        payload.WriteByte(255);
        payload.Write(BitConverter.GetBytes((ushort)2));
        payload.Write(BitConverter.GetBytes((ushort)(capabilities >> 16)));
        payload.WriteByte(21);
        payload.Write(new byte[10]);
        payload.Write(_scramble.AsSpan(8));
        payload.WriteByte(0);
        payload.Write("caching_sha2_password\0"u8);
        return payload.ToArray();
    }

    private static byte[] Error(ushort code, string sqlState, string message) =>
        [0xFF, (byte)code, (byte)(code >> 8), (byte)'#', .. Encoding.ASCII.GetBytes(sqlState), .. Encoding.UTF8.GetBytes(message)];

    private static async Task WritePacketAsync(NetworkStream stream, byte sequence, byte[] payload, CancellationToken cancellationToken)
    {
        var packet = new byte[payload.Length + 4];
        packet[0] = (byte)payload.Length;
        packet[1] = (byte)(payload.Length >> 8);
        packet[2] = (byte)(payload.Length >> 16);
        packet[3] = sequence;
        payload.CopyTo(packet, 4);
        await stream.WriteAsync(packet, cancellationToken);
    }

    private static async Task<(byte Sequence, byte[] Payload)> ReadPacketAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var length = (int)(BinaryPrimitives.ReadUInt32LittleEndian(header) & 0xFFFFFF);
        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return (header[3], payload);
    }

    private void Record(string what)
    {
        lock (_events)
        {
            _events.Add(what);
        }
    }
}

/// <summary>What a <see cref="FakeMySqlServer"/> does after its greeting.</summary>
public enum FakeMySqlBehavior
{
    /// <summary>caching_sha2_password with the hash "cached": fast authentication (0x01 0x03).</summary>
    CachingSha2Fast,

    /// <summary>caching_sha2_password full authentication (0x01 0x04) with the RSA public key requested by the client.</summary>
    CachingSha2FullRsa,

    /// <summary>Fast authentication, then every query except KILL goes unanswered (the socket stays open).</summary>
    CachingSha2FastThenHangOnQuery,

    /// <summary>Closes the socket right after the greeting.</summary>
    DropAfterGreeting,

    /// <summary>Sends the greeting and then never answers.</summary>
    HangAfterGreeting,
}
