namespace Fleet.Chat;

/// <summary>A room's epoch and the offset its next message gets (so the latest stored offset is NextOffset - 1).</summary>
internal sealed record RoomHead(string Epoch, long NextOffset);
