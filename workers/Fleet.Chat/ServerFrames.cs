using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Fleet.Chat;

/// <summary>
/// Writes server frames (schema v1 in README.md) straight to UTF-8. A message frame is written once per stored
/// message and the same bytes go to NATS and to every local member.
/// </summary>
internal static class ServerFrames
{
    public static byte[] Message(ChatMessage message, string epoch) => Write(json =>
    {
        Start(json, "message");
        WriteMessageFields(json, message, epoch);
    });

    public static byte[] Ack(string room, string clientMsgId, long offset, string epoch, bool duplicate) => Write(json =>
    {
        Start(json, "ack");
        json.WriteString("room", room);
        json.WriteString("clientMsgId", clientMsgId);
        json.WriteNumber("offset", offset);
        json.WriteString("epoch", epoch);
        json.WriteBoolean("duplicate", duplicate);
    });

    /// <summary>
    /// The answer to join (<paramref name="reason"/> <c>join</c>, with <paramref name="recovered"/>) and to a
    /// history request (<c>page</c>). <paramref name="headOffset"/> is the latest stored offset (0: none).
    /// </summary>
    public static byte[] History(string room, string epoch, string reason, bool? recovered, long headOffset, IReadOnlyList<ChatMessage> messages) => Write(json =>
    {
        Start(json, "history");
        json.WriteString("room", room);
        json.WriteString("epoch", epoch);
        json.WriteString("reason", reason);
        if (recovered is { } value)
        {
            json.WriteBoolean("recovered", value);
        }

        json.WriteNumber("headOffset", headOffset);
        json.WriteStartArray("messages");
        foreach (var message in messages)
        {
            json.WriteStartObject();
            WriteMessageFields(json, message, epoch);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    public static byte[] Left(string room) => Write(json =>
    {
        Start(json, "left");
        json.WriteString("room", room);
    });

    public static byte[] Presence(string room, IEnumerable<string> members, IEnumerable<string> joined, IEnumerable<string> left) => Write(json =>
    {
        Start(json, "presence");
        json.WriteString("room", room);
        WriteArray(json, "members", members);
        WriteArray(json, "joined", joined);
        WriteArray(json, "left", left);
    });

    public static byte[] Error(string code, string message, string? room = null, string? clientMsgId = null) => Write(json =>
    {
        Start(json, "error");
        json.WriteString("code", code);
        json.WriteString("message", message);
        if (room is not null)
        {
            json.WriteString("room", room);
        }

        if (clientMsgId is not null)
        {
            json.WriteString("clientMsgId", clientMsgId);
        }
    });

    public static byte[] Reconnect(long retryAfterMs) => Write(json =>
    {
        Start(json, "reconnect");
        json.WriteNumber("retryAfterMs", retryAfterMs);
    });

    public static byte[] Pong() => Write(json => Start(json, "pong"));

    private static void Start(Utf8JsonWriter json, string type)
    {
        json.WriteString("type", type);
        json.WriteNumber("v", ClientFrame.SchemaVersion);
    }

    private static void WriteMessageFields(Utf8JsonWriter json, ChatMessage message, string epoch)
    {
        json.WriteString("room", message.RoomId);
        json.WriteNumber("offset", message.Offset);
        json.WriteString("epoch", epoch);
        json.WriteString("sender", message.Sender);
        json.WriteString("clientMsgId", message.ClientMsgId);
        json.WriteString("body", message.Body);
        json.WriteString("sentAt", DateTime.SpecifyKind(message.CreatedAt, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
