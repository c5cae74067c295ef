using System.Text.Json;

namespace Fleet.Chat;

/// <summary>A parsed client frame (schema v1 in README.md); fields a type does not use stay null.</summary>
internal sealed record ClientFrame(
    string Type,
    string? Room,
    string? ClientMsgId,
    string? Body,
    long? LastOffset,
    string? Epoch,
    long? BeforeOffset,
    int? Limit)
{
    public const int SchemaVersion = 1;

    /// <summary>Parses a frame; returns null with a reason the client can act on.</summary>
    public static ClientFrame? Parse(ReadOnlySpan<byte> utf8, out string error)
    {
        error = string.Empty;
        string? type = null, room = null, clientMsgId = null, body = null, epoch = null;
        long? lastOffset = null, beforeOffset = null;
        int? limit = null, version = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "A frame is a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "type": type = reader.GetString(); break;
                    case "v": version = reader.GetInt32(); break;
                    case "room": room = reader.GetString(); break;
                    case "clientMsgId": clientMsgId = reader.GetString(); break;
                    case "body": body = reader.GetString(); break;
                    case "epoch": epoch = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                    case "lastOffset": lastOffset = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64(); break;
                    case "beforeOffset": beforeOffset = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64(); break;
                    case "limit": limit = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32(); break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            error = "The frame is not valid JSON of schema v1.";
            return null;
        }

        if (version != SchemaVersion)
        {
            error = "Unsupported or missing schema version \"v\"; this server speaks v1.";
            return null;
        }

        if (string.IsNullOrEmpty(type))
        {
            error = "The frame has no \"type\".";
            return null;
        }

        return new ClientFrame(type, room, clientMsgId, body, lastOffset, epoch, beforeOffset, limit);
    }

    /// <summary>Room ids are one NATS subject token and a short key: letters, digits, '_' and '-'.</summary>
    public static bool IsValidRoomId(string? room) =>
        room is { Length: > 0 and <= 64 } && room.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Client message ids are opaque to us but bounded, because they are part of a unique key.</summary>
    public static bool IsValidClientMsgId(string? id) => id is { Length: > 0 and <= 64 };
}
