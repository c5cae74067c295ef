using System.Diagnostics;
using System.Net.WebSockets;

namespace Fleet.LoadRunner;

/// <summary>One WebSocket client of a chat fan-out room: its socket, its send lock and its sends awaiting an ack.</summary>
internal sealed class ChatMember(int room, int slot, string roomId, string token)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<string> _unacked = new();
    private TaskCompletionSource _history = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSent = Stopwatch.GetTimestamp();
    private volatile bool _joined;

    public int Room { get; } = room;

    public int Slot { get; } = slot;

    public string RoomId { get; } = roomId;

    public string Token { get; } = token;

    public ClientWebSocket? Socket { get; private set; }

    public Task? ReceiveLoop { get; set; }

    /// <summary>ClientWebSocket allows one send at a time; sends by different requests queue here.</summary>
    public SemaphoreSlim SendLock { get; } = new(1, 1);

    /// <summary>Serialises reconnects of this member.</summary>
    public SemaphoreSlim ConnectLock { get; } = new(1, 1);

    /// <summary>Connected and joined (its history page arrived); false again once its receive loop ends.</summary>
    public bool Joined
    {
        get => _joined;
        set => _joined = value;
    }

    public Task History => _history.Task;

    public long LastSent => Interlocked.Read(ref _lastSent);

    public void Attach(ClientWebSocket socket)
    {
        Socket = socket;
        _history = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _unacked.Clear();
        }
    }

    public void HistoryArrived() => _history.TrySetResult();

    public void JoinRefused(string code) => _history.TrySetException(new InvalidOperationException("join refused: " + code));

    public void Sending(string clientMsgId)
    {
        Interlocked.Exchange(ref _lastSent, Stopwatch.GetTimestamp());
        if (clientMsgId.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            _unacked.AddLast(clientMsgId);
        }
    }

    public void Acked(string clientMsgId)
    {
        lock (_lock)
        {
            _unacked.Remove(clientMsgId);
        }
    }

    /// <summary>
    /// The send an error frame without a clientMsgId answers (rate_limited names none): the connection handles frames
    /// in order, so it is the oldest send not yet acked.
    /// </summary>
    public string? OldestUnacked()
    {
        lock (_lock)
        {
            return _unacked.First?.Value;
        }
    }
}
