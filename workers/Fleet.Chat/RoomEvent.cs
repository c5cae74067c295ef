namespace Fleet.Chat;

/// <summary>What a room's loop processes, one at a time, in arrival order.</summary>
internal abstract record RoomEvent
{
    public sealed record Deliver(long Offset, byte[] Frame) : RoomEvent;

    public sealed record Join(ChatConnection Connection, long? LastOffset, string? Epoch, TaskCompletionSource Done) : RoomEvent;

    public sealed record Leave(ChatConnection Connection, bool Retire, TaskCompletionSource Done) : RoomEvent;

    public sealed record Presence(string InstanceId, IReadOnlyList<string> Users, bool Hello) : RoomEvent;

    public sealed record Heartbeat : RoomEvent;
}
