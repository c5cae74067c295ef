using System.Net;
using System.Net.Sockets;

namespace Fleet.TestUtilities;

/// <summary>
/// A scripted NATS server on a loopback port, for the wire failures a real nats-server cannot produce on demand:
/// -ERR at a chosen moment, a frame cut off by a dropped socket, PINGs that are never answered. Each accepted
/// connection runs the script with its zero-based index, so a test can behave differently on a reconnect.
/// </summary>
public sealed class FakeNatsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeNatsClient, int, CancellationToken, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _acceptLoop;
    private int _connectionCount;

    public FakeNatsServer(Func<FakeNatsClient, int, CancellationToken, Task> script)
    {
        _script = script;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>How many connections have been accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>The INFO line the fake sends first; small max_payload so limit tests need no big buffers.</summary>
    public static string Info(int maxPayload = 1024 * 1024, IEnumerable<string>? connectUrls = null)
    {
        var urls = string.Join(",", (connectUrls ?? []).Select(url => $"\"{url}\""));
        return $"INFO {{\"server_id\":\"FAKE\",\"server_name\":\"fake\",\"version\":\"2.9.10\",\"proto\":1,\"headers\":true," +
            $"\"max_payload\":{maxPayload},\"connect_urls\":[{urls}]}}\r\n";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // The accept loop ends with the listener; its exception is expected here.
        }

        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        try
        {
            await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Scripts end by cancellation or a closed socket; failures were already observed by the test.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            var index = Interlocked.Increment(ref _connectionCount) - 1;
            var session = RunSessionAsync(new FakeNatsClient(socket), index);
            lock (_sessions)
            {
                _sessions.Add(session);
            }
        }
    }

    private async Task RunSessionAsync(FakeNatsClient client, int index)
    {
        await using (client)
        {
            try
            {
                await _script(client, index, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The client or the test ended the session.
            }
        }
    }
}
