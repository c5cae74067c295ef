using System.Diagnostics;

namespace Fleet.LoadRunner;

/// <summary>A chat message in flight: waits for the sender's ack and for every other joined member to receive it.</summary>
internal sealed class PendingMessage
{
    private readonly Lock _lock = new();
    private readonly bool[] _waiting;
    private readonly List<Timing> _timings;
    private readonly string _ackName;
    private readonly string _receiveName;
    private int _remaining;
    private long _sentAt;
    private bool _acked;
    private long _bytesIn;
    private string? _error;

    public PendingMessage(ChatMember sender, bool[] expected, string ackName, string receiveName)
    {
        Sender = sender;
        _waiting = expected;
        _remaining = expected.Count(e => e);
        _timings = new List<Timing>(_remaining + 1);
        _ackName = ackName;
        _receiveName = receiveName;
    }

    public ChatMember Sender { get; }

    /// <summary>Completes when the message was acked and received by everyone expected, or when it failed.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsAcked
    {
        get
        {
            lock (_lock)
            {
                return _acked;
            }
        }
    }

    public void MarkSent(long timestamp)
    {
        lock (_lock)
        {
            _sentAt = timestamp;
        }
    }

    public void Ack(long timestamp, int bytes)
    {
        lock (_lock)
        {
            if (_acked || _error is not null)
            {
                return;
            }

            _acked = true;
            _bytesIn += bytes;
            _timings.Add(new Timing(_ackName, Micros(timestamp)));
            if (_remaining == 0)
            {
                Done.TrySetResult();
            }
        }
    }

    public void Receive(ChatMember member, long timestamp, int bytes)
    {
        lock (_lock)
        {
            if (member.Room != Sender.Room || !_waiting[member.Slot] || _error is not null)
            {
                return;
            }

            _waiting[member.Slot] = false;
            _remaining--;
            _bytesIn += bytes;
            _timings.Add(new Timing(_receiveName, Micros(timestamp)));
            if (_remaining == 0 && _acked)
            {
                Done.TrySetResult();
            }
        }
    }

    /// <summary>True while <paramref name="member"/> is the sender waiting for its ack or a receiver not yet reached.</summary>
    public bool WaitsFor(ChatMember member)
    {
        lock (_lock)
        {
            return (member == Sender && !_acked) || (member.Room == Sender.Room && _waiting[member.Slot]);
        }
    }

    /// <summary>Ends the message with an error kind; the first error wins.</summary>
    public void Fail(string error)
    {
        lock (_lock)
        {
            if (Done.Task.IsCompleted)
            {
                return;
            }

            _error ??= error;
            Done.TrySetResult();
        }
    }

    /// <summary>The error kind (null when everyone got it), the timings measured so far and the bytes received.</summary>
    public (string? Error, Timing[] Timings, long BytesIn) Result()
    {
        lock (_lock)
        {
            return (_error, [.. _timings], _bytesIn);
        }
    }

    private long Micros(long timestamp) => (long)((timestamp - _sentAt) * 1_000_000.0 / Stopwatch.Frequency);
}
