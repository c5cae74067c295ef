using System.Globalization;
using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>Initial handshake v10, optional TLS upgrade and the authentication exchange.</summary>
internal sealed partial class ServerSession
{
    private const string ClientName = "Fleet.MySql";

    private async ValueTask HandshakeAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        var greeting = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
        if (greeting.Span[0] == 0xFF)
        {
            throw CreateServerException(greeting.Span);
        }

        var handshake = InitialHandshake.Parse(greeting.Span);
        ConnectionId = handshake.ConnectionId;
        ServerVersion = handshake.ServerVersion;
        Status = handshake.Status;

        const CapabilityFlags required = CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection;
        if ((handshake.Capabilities & required) != required)
        {
            throw new MySqlProtocolException("The server does not support protocol 4.1 with secure connection; it is too old.");
        }

        var wanted = CapabilityFlags.Protocol41 | CapabilityFlags.LongPassword | CapabilityFlags.LongFlag
            | CapabilityFlags.Transactions | CapabilityFlags.SecureConnection | CapabilityFlags.MultiResults
            | CapabilityFlags.PluginAuth | CapabilityFlags.PluginAuthLengthEncodedClientData
            | CapabilityFlags.DeprecateEof | CapabilityFlags.ConnectAttributes;
        if (!Settings.UseAffectedRows)
        {
            wanted |= CapabilityFlags.FoundRows;
        }

        if (Settings.Database.Length > 0)
        {
            wanted |= CapabilityFlags.ConnectWithDb;
        }

        if (Settings.AllowBatch)
        {
            wanted |= CapabilityFlags.MultiStatements;
        }

        _capabilities = wanted & handshake.Capabilities;

        var serverHasTls = (handshake.Capabilities & CapabilityFlags.Ssl) != 0;
        var useTls = Settings.SslMode switch
        {
            MySqlSslMode.None => false,

            // Over a Unix socket the data never leaves the machine: TLS would cost without protecting anything.
            MySqlSslMode.Preferred => serverHasTls && Settings.UnixSocket is null,
            _ => serverHasTls ? true : throw new MySqlException(
                MySqlErrorCodes.SslConnectionError, null, $"SslMode={Settings.SslMode} but the server does not support TLS."),
        };

        if (useTls)
        {
            _capabilities |= CapabilityFlags.Ssl;
            _writer.Clear();
            WriteHandshakePrefix(_writer);
            await Channel.WritePayloadAsync(_writer, ioAsync, cancellationToken);
            await StartTlsAsync(Settings.Hosts.Count > 0 ? Settings.Hosts[0] : null, ioAsync, cancellationToken);
        }

        var plugin = handshake.AuthPluginName;
        var scramble = handshake.Scramble;
        _writer.Clear();
        WriteHandshakePrefix(_writer);
        _writer.WriteNullTerminatedString(Settings.UserId);
        var response = plugin switch
        {
            AuthScramble.CachingSha2Password => AuthScramble.CachingSha2(Settings.Password, scramble),
            _ => AuthScramble.Native(Settings.Password, scramble),
        };
        if ((_capabilities & CapabilityFlags.PluginAuthLengthEncodedClientData) != 0)
        {
            _writer.WriteLengthEncodedBytes(response);
        }
        else
        {
            _writer.WriteByte((byte)response.Length);
            _writer.WriteBytes(response);
        }

        if ((_capabilities & CapabilityFlags.ConnectWithDb) != 0)
        {
            _writer.WriteNullTerminatedString(Settings.Database);
        }

        if ((_capabilities & CapabilityFlags.PluginAuth) != 0)
        {
            _writer.WriteNullTerminatedString(plugin == AuthScramble.CachingSha2Password ? plugin : AuthScramble.NativePassword);
        }

        if ((_capabilities & CapabilityFlags.ConnectAttributes) != 0)
        {
            WriteConnectAttributes(_writer);
        }

        await Channel.WritePayloadAsync(_writer, ioAsync, cancellationToken);
        await AuthenticateAsync(plugin, scramble, ioAsync, cancellationToken);
    }

    private async ValueTask AuthenticateAsync(string plugin, byte[] scramble, bool ioAsync, CancellationToken cancellationToken)
    {
        // Bounded: a server that keeps switching plugins is broken, not slow.
        for (var round = 0; round < 8; round++)
        {
            var payload = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
            switch (payload.Span[0])
            {
                case 0x00:
                    ReadOk(payload.Span);
                    return;
                case 0xFF:
                    throw CreateServerException(payload.Span);
                case 0xFE:
                    {
                        var reader = new PayloadReader(payload.Span);
                        reader.ReadByte();
                        plugin = reader.ReadNullTerminatedString();
                        var data = reader.ReadRest();

                        // Native and SHA-2 scrambles are 20 bytes plus a NUL; ed25519's nonce is 32 bytes, any of them 0.
                        var length = plugin == AuthScramble.Ed25519Password ? 32 : 20;
                        scramble = (data.Length > length ? data[..length] : data).ToArray();
                        await SendAuthDataAsync(SwitchResponse(plugin, scramble), ioAsync, cancellationToken);
                        break;
                    }

                case 0x01 when plugin == AuthScramble.CachingSha2Password && payload.Length >= 2:
                    {
                        var state = payload.Span[1];
                        if (state == 3)
                        {
                            // Fast authentication succeeded (the server had our hash cached); an OK follows.
                            break;
                        }

                        if (state != 4)
                        {
                            throw new MySqlProtocolException($"Unknown caching_sha2_password state {state}.");
                        }

                        await FullSha2AuthenticationAsync(scramble, ioAsync, cancellationToken);
                        break;
                    }

                default:
                    throw new MySqlProtocolException($"Unexpected packet 0x{payload.Span[0]:X2} during authentication with {plugin}.");
            }
        }

        throw new MySqlProtocolException("Authentication did not finish within 8 exchanges.");
    }

    private async ValueTask FullSha2AuthenticationAsync(byte[] scramble, bool ioAsync, CancellationToken cancellationToken)
    {
        if (_isTls || Settings.UnixSocket is not null)
        {
            await SendAuthDataAsync(AuthScramble.NullTerminatedPassword(Settings.Password), ioAsync, cancellationToken);
            return;
        }

        if (!Settings.AllowPublicKeyRetrieval)
        {
            throw new MySqlException(
                MySqlErrorCodes.AuthenticationPluginError,
                null,
                "caching_sha2_password full authentication needs TLS, or AllowPublicKeyRetrieval=true to encrypt the password with the server's RSA key.");
        }

        await SendAuthDataAsync([0x02], ioAsync, cancellationToken);
        var keyPacket = await Channel.ReadPayloadAsync(ioAsync, cancellationToken);
        if (keyPacket.Span[0] == 0xFF)
        {
            throw CreateServerException(keyPacket.Span);
        }

        if (keyPacket.Span[0] != 0x01)
        {
            throw new MySqlProtocolException("Expected the server's RSA public key.");
        }

        var pem = Encoding.ASCII.GetString(keyPacket.Span[1..]);
        await SendAuthDataAsync(AuthScramble.RsaEncryptPassword(Settings.Password, scramble, pem), ioAsync, cancellationToken);
    }

    private byte[] SwitchResponse(string plugin, byte[] scramble) => plugin switch
    {
        AuthScramble.NativePassword => AuthScramble.Native(Settings.Password, scramble),
        AuthScramble.CachingSha2Password => AuthScramble.CachingSha2(Settings.Password, scramble),
        AuthScramble.Ed25519Password => AuthScramble.Ed25519Signature(Settings.Password, scramble),
        AuthScramble.ClearPassword when _isTls || Settings.UnixSocket is not null => AuthScramble.NullTerminatedPassword(Settings.Password),
        AuthScramble.ClearPassword => throw new MySqlException(
            MySqlErrorCodes.AuthenticationPluginError, null, "mysql_clear_password is only used over TLS or a Unix socket."),
        _ => throw new MySqlException(
            MySqlErrorCodes.AuthenticationPluginError, null, $"Authentication plugin '{plugin}' is not supported by Fleet.MySql."),
    };

    private async ValueTask SendAuthDataAsync(byte[] data, bool ioAsync, CancellationToken cancellationToken)
    {
        _writer.Clear();
        _writer.WriteBytes(data);
        await Channel.WritePayloadAsync(_writer, ioAsync, cancellationToken);
    }

    /// <summary>The first 32 bytes of HandshakeResponse41, which are also the whole SSLRequest packet.</summary>
    private void WriteHandshakePrefix(PayloadWriter writer)
    {
        writer.WriteUInt32((uint)_capabilities);
        writer.WriteUInt32(MaxPacketSize);
        writer.WriteByte(ProtocolNumbers.Utf8Mb4GeneralCi);
        writer.WriteZeros(23);
    }

    private void WriteConnectAttributes(PayloadWriter writer)
    {
        using var attributes = new PayloadWriter(128);
        attributes.WriteLengthEncodedString("_client_name");
        attributes.WriteLengthEncodedString(ClientName);
        attributes.WriteLengthEncodedString("_pid");
        attributes.WriteLengthEncodedString(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Settings.ApplicationName is { Length: > 0 } name)
        {
            attributes.WriteLengthEncodedString("program_name");
            attributes.WriteLengthEncodedString(name);
        }

        writer.WriteLengthEncodedBytes(attributes.Payload);
    }
}
