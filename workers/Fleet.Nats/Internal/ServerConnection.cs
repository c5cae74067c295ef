using System.IO.Pipelines;
using System.Net.Sockets;

namespace Fleet.Nats.Internal;

/// <summary>
/// One TCP connection to one server and the loops that serve it. A <see cref="NatsConnection"/> replaces it on
/// reconnect; the outbound pipe and the subscriptions outlive it.
/// </summary>
internal sealed class ServerConnection : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private int _lost;

    public ServerConnection(Socket socket, Uri server)
    {
        Server = server;
        Stream = new NetworkStream(socket, ownsSocket: true);

        // 64 KB reads: large enough to take many small MSGs per syscall, small enough for thousands of connections.
        Input = PipeReader.Create(Stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024));
    }

    public Uri Server { get; }

    public NetworkStream Stream { get; }

    public PipeReader Input { get; }

    public CancellationToken Token => _cancellation.Token;

    public bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Completed when the read loop has stopped touching <see cref="Input"/> and the subscriptions.</summary>
    public TaskCompletionSource ReadLoopDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the write loop has stopped reading the outbound pipe, so a successor may read it.</summary>
    public TaskCompletionSource WriteLoopDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Marks the connection lost; true for the one caller that gets to handle the loss.</summary>
    public bool TryMarkLost() => Interlocked.Exchange(ref _lost, 1) == 0;

    /// <summary>Stops the loops and closes the socket; safe to call more than once.</summary>
    public void Abort()
    {
        _cancellation.Cancel();
        Stream.Socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await Input.CompleteAsync();
        await Stream.DisposeAsync();

        // _cancellation is deliberately not disposed: the ping loop may still read Token while it winds down, and a
        // CancellationTokenSource without a timer holds nothing that needs releasing.
    }
}
