using System.IO.Pipelines;

namespace Fleet.Nats.Internal;

/// <summary>
/// Wakes the write loop without allocating. The default <see cref="PipeScheduler.ThreadPool"/> allocates a work item
/// for every wake-up, and a publish that finds the write loop idle wakes it: about 48 bytes per message at low
/// load. The outbound pipe has a single reader awaiting at most once at a time, so one reusable work item suffices;
/// if it is ever still queued, the allocating path is the fallback.
/// </summary>
internal sealed class WriteLoopScheduler : PipeScheduler, IThreadPoolWorkItem
{
    private Action<object?>? _action;
    private object? _state;
    private int _queued;

    public override void Schedule(Action<object?> action, object? state)
    {
        if (Interlocked.CompareExchange(ref _queued, 1, 0) != 0)
        {
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(action, state, preferLocal: false);
            return;
        }

        _action = action;
        _state = state;
        System.Threading.ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    public void Execute()
    {
        var action = _action!;
        var state = _state;
        _action = null;
        _state = null;
        Volatile.Write(ref _queued, 0);
        action(state);
    }
}
