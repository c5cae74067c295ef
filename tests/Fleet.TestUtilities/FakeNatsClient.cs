using System.Net.Sockets;
using System.Text;

namespace Fleet.TestUtilities;

/// <summary>One client connection as the <see cref="FakeNatsServer"/> sees it: read lines, send raw protocol text.</summary>
public sealed class FakeNatsClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    internal FakeNatsClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
    }

    /// <summary>Sends protocol text exactly as given (include the CRLFs).</summary>
    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one line without its CRLF; throws <see cref="EndOfStreamException"/> when the client has gone.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken) =>
        await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The client closed the connection.");

    /// <summary>
    /// Sends INFO, reads CONNECT and whatever follows up to the client's PING, answers PONG, and returns the lines
    /// read (CONNECT first, then e.g. the SUBs of a reconnect).
    /// </summary>
    public async Task<IReadOnlyList<string>> HandshakeAsync(
        CancellationToken cancellationToken, int maxPayload = 1024 * 1024, IEnumerable<string>? connectUrls = null)
    {
        await SendAsync(FakeNatsServer.Info(maxPayload, connectUrls), cancellationToken);
        var lines = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line == "PING")
            {
                await SendAsync("PONG\r\n", cancellationToken);
                return lines;
            }

            lines.Add(line);
        }

        throw new InvalidOperationException("The client sent no PING in its handshake.");
    }

    /// <summary>Reads lines, answering PINGs, until one starts with <paramref name="prefix"/>.</summary>
    public async Task<string> ReadUntilAsync(string prefix, CancellationToken cancellationToken, bool answerPings = true)
    {
        for (var i = 0; i < 100_000; i++)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            if (answerPings && line == "PING")
            {
                await SendAsync("PONG\r\n", cancellationToken);
            }
        }

        throw new InvalidOperationException($"No line starting with '{prefix}' arrived.");
    }

    /// <summary>Resets the TCP connection at once, as a crashed server or a cut cable would.</summary>
    public void Drop()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
