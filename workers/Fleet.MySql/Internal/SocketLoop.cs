using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Fleet.MySql.Internal;

/// <summary>
/// Fleet.MySql's own epoll loop for its sockets (Linux x64). The runtime's socket engine hands every readable socket
/// from its epoll thread to a pool thread, and that hop (with the extra pool workers it wakes) was the largest client
/// cost measured on the point-select benchmark. Here a poller thread completes the waiting read itself, so the
/// command's continuation runs on it. User code after an await may then run on a poller, so a poller never leaves the
/// loop without another one waiting in epoll_wait: when the last waiting poller wakes, it starts a new one first. A
/// continuation that blocks (PBKDF2, sync-over-async) therefore holds only its own thread, never the loop.
/// </summary>
internal static unsafe partial class SocketLoop
{
    private const uint EpollIn = 0x001;
    private const uint EpollOut = 0x004;
    private const uint EpollErr = 0x008;
    private const uint EpollHup = 0x010;
    private const uint EpollRdHup = 0x2000;
    private const uint EpollEt = 0x80000000;
    private const int EpollCtlAdd = 1;
    private const int EpollCloexec = 0x80000;
    private const int Eintr = 4;

    // Beyond this many pollers (continuations running or stuck on all of them), completions go to the thread pool.
    private static readonly int MaxPollers = Environment.ProcessorCount + 1;

    private static readonly ConcurrentDictionary<long, LoopSocketStream> Streams = new();
    private static readonly Lazy<int> Epoll = new(CreateEpoll);
    private static long _nextId;
    private static int _pollers;
    private static int _waitingPollers;

    /// <summary>Whether this platform has the loop; elsewhere sessions use the runtime's NetworkStream.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Adds the socket to the loop (edge-triggered); events reach <paramref name="stream"/> until it unregisters.</summary>
    public static long Register(System.Net.Sockets.Socket socket, LoopSocketStream stream)
    {
        var id = Interlocked.Increment(ref _nextId);
        Streams[id] = stream;
        var ev = new EpollEvent { Events = EpollIn | EpollOut | EpollRdHup | EpollEt, Data = id };
        if (EpollCtl(Epoll.Value, EpollCtlAdd, (int)socket.Handle, &ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Streams.TryRemove(id, out _);
            throw new System.Net.Sockets.SocketException(errno);
        }

        if (Volatile.Read(ref _pollers) == 0)
        {
            StartPoller();
        }

        return id;
    }

    /// <summary>Stops events reaching the stream; closing the socket then removes it from epoll.</summary>
    public static void Unregister(long id) => Streams.TryRemove(id, out _);

    private static int CreateEpoll()
    {
        var fd = EpollCreate1(EpollCloexec);
        return fd >= 0 ? fd : throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Starts one more poller; false if the cap is reached.</summary>
    private static bool StartPoller()
    {
        if (Interlocked.Increment(ref _pollers) > MaxPollers)
        {
            Interlocked.Decrement(ref _pollers);
            return false;
        }

        // No ExecutionContext flows into the poller: continuations bring their own.
        using (ExecutionContext.SuppressFlow())
        {
            new Thread(Poll) { IsBackground = true, Name = "Fleet.MySql poller" }.Start();
        }

        return true;
    }

    private static void Poll()
    {
        // One event per epoll_wait: a continuation run here could block, and events taken with it would then wait for
        // it (for ever, if it waits on one of them); the others stay in epoll for the spare poller.
        EpollEvent ev;
        var epoll = Epoll.Value;
        while (true)
        {
            Interlocked.Increment(ref _waitingPollers);
            var count = EpollWait(epoll, &ev, 1, -1);
            var othersWaiting = Interlocked.Decrement(ref _waitingPollers);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                {
                    continue;
                }

                Environment.FailFast($"Fleet.MySql's epoll_wait failed with errno {errno}.");
            }

            // This thread is about to run a continuation: leave another one waiting for events, or, at the cap, hand
            // the continuation to the thread pool.
            var inline = othersWaiting > 0 || StartPoller();
            if (count == 1 && Streams.TryGetValue(ev.Data, out var stream))
            {
                stream.OnEvents(
                    readable: (ev.Events & (EpollIn | EpollRdHup | EpollHup | EpollErr)) != 0,
                    writable: (ev.Events & (EpollOut | EpollHup | EpollErr)) != 0,
                    hangUp: (ev.Events & (EpollRdHup | EpollHup | EpollErr)) != 0,
                    inline);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    /// <summary>struct epoll_event, which x86-64 Linux packs to 12 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public long Data;
    }
}
