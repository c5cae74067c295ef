using System.Text;

namespace Fleet.MySql.Internal;

/// <summary>The server greeting, Protocol::HandshakeV10.</summary>
internal sealed class InitialHandshake
{
    // MariaDB prefixes its real version with this to keep very old clients (which parse "5.5") working.
    private const string MariaDbReplicationHack = "5.5.5-";

    public required string ServerVersion { get; init; }

    public required int ConnectionId { get; init; }

    public required byte[] Scramble { get; init; }

    public required CapabilityFlags Capabilities { get; init; }

    public required ServerStatus Status { get; init; }

    public required string AuthPluginName { get; init; }

    public static InitialHandshake Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        var protocol = reader.ReadByte();
        if (protocol != 10)
        {
            throw new MySqlProtocolException($"Unsupported handshake protocol version {protocol}.");
        }

        var version = reader.ReadNullTerminatedString();
        if (version.StartsWith(MariaDbReplicationHack, StringComparison.Ordinal))
        {
            version = version[MariaDbReplicationHack.Length..];
        }

        var connectionId = (int)reader.ReadUInt32();
        var scramble1 = reader.ReadBytes(8);
        reader.ReadByte(); // filler
        var capabilities = (uint)reader.ReadUInt16();
        var status = ServerStatus.None;
        var authDataLength = 0;
        var plugin = AuthScramble.NativePassword;
        var scramble = scramble1.ToArray();
        if (reader.Remaining > 0)
        {
            reader.ReadByte(); // default collation
            status = (ServerStatus)reader.ReadUInt16();
            capabilities |= (uint)reader.ReadUInt16() << 16;
            authDataLength = reader.ReadByte();
            reader.ReadBytes(10); // reserved (MariaDB keeps its extended capabilities in the last four)
            if ((capabilities & (uint)CapabilityFlags.SecureConnection) != 0)
            {
                var part2 = reader.ReadBytes(Math.Max(13, authDataLength - 8));

                // The second part ends with a NUL that is not part of the 20-byte scramble.
                if (part2.Length > 0 && part2[^1] == 0)
                {
                    part2 = part2[..^1];
                }

                scramble = [.. scramble1, .. part2];
            }

            if ((capabilities & (uint)CapabilityFlags.PluginAuth) != 0 && reader.Remaining > 0)
            {
                var rest = reader.ReadRest();
                var end = rest.IndexOf((byte)0);
                plugin = Encoding.UTF8.GetString(end >= 0 ? rest[..end] : rest);
            }
        }

        return new InitialHandshake
        {
            ServerVersion = version,
            ConnectionId = connectionId,
            Scramble = scramble,
            Capabilities = (CapabilityFlags)capabilities,
            Status = status,
            AuthPluginName = plugin,
        };
    }
}
