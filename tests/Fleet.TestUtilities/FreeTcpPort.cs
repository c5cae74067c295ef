using System.Net;
using System.Net.Sockets;

namespace Fleet.TestUtilities;

/// <summary>Hands out loopback ports that were free a moment ago.</summary>
public static class FreeTcpPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts TCP connections on the port, or the process has exited.</summary>
    public static async Task WaitUntilListeningAsync(int port, ServerProcess process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode} before listening on port {port}:\n{process.Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{process.Name} did not listen on port {port} within {timeout}:\n{process.Output}");
            }
        }
    }
}
