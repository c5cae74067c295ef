namespace Fleet.TestUtilities;

/// <summary>
/// A real nats-server (Debian package nats-server) with JetStream, on a free loopback port with a temporary
/// store directory. Shared by the tests of one xunit collection; each test takes its own subjects.
/// </summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _storeDirectory = new("nats");
    private ServerProcess? _server;
    private int _subjectCounter;

    public int Port { get; } = FreeTcpPort.Next();

    /// <summary>The URL clients connect to, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A subject no other test of this run uses.</summary>
    public string NextSubject(string prefix = "test") =>
        $"{prefix}.{Environment.ProcessId}.{Interlocked.Increment(ref _subjectCounter)}";

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts (or restarts) the server on the same port and store, so clients can reconnect to it.</summary>
    public async Task StartAsync()
    {
        var binary = ServerBinary.Require("nats-server", "nats-server");
        _server = ServerProcess.Start(
            binary,
            ["-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-js", "-sd", _storeDirectory.Path],
            "nats-server");
        await FreeTcpPort.WaitUntilListeningAsync(Port, _server, TimeSpan.FromSeconds(20));
    }

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public void Kill()
    {
        _server?.Dispose();
        _server = null;
    }

    public Task DisposeAsync()
    {
        Kill();
        _storeDirectory.Dispose();
        return Task.CompletedTask;
    }
}
