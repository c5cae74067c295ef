namespace Fleet.Chat;

/// <summary>One stored message of a room.</summary>
internal sealed class ChatMessage
{
    public string RoomId { get; init; } = string.Empty;

    public long Offset { get; init; }

    public string Sender { get; init; } = string.Empty;

    public string ClientMsgId { get; init; } = string.Empty;

    public string Body { get; init; } = string.Empty;

    public DateTime CreatedAt { get; init; }
}
