namespace Fleet.Contracts;

/// <summary>
/// Subjects and headers of the chat relay's fan-out between instances. Every instance subscribes only to the
/// rooms its clients joined: <c>chat.&lt;region&gt;.room.&lt;id&gt;</c> carries stored messages,
/// <c>chat.&lt;region&gt;.presence.&lt;id&gt;</c> carries each instance's member list of the room.
/// </summary>
public static class ChatSubjects
{
    /// <summary>Message header: the room offset of a stored message, so receivers order without parsing the body.</summary>
    public const string OffsetHeader = "Chat-Offset";

    /// <summary>Message header: the request id of the WebSocket connection that sent the message.</summary>
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>The subject stored messages of one room are published on.</summary>
    /// <param name="region">The region, e.g. <c>eu</c>.</param>
    /// <param name="roomId">The room id (a single subject token).</param>
    /// <returns><c>chat.&lt;region&gt;.room.&lt;id&gt;</c>.</returns>
    public static string Room(string region, string roomId) => $"chat.{region}.room.{roomId}";

    /// <summary>The subject presence heartbeats of one room are published on.</summary>
    /// <param name="region">The region, e.g. <c>eu</c>.</param>
    /// <param name="roomId">The room id (a single subject token).</param>
    /// <returns><c>chat.&lt;region&gt;.presence.&lt;id&gt;</c>.</returns>
    public static string Presence(string region, string roomId) => $"chat.{region}.presence.{roomId}";
}
