using System.Globalization;
using Fleet.TestUtilities;

namespace Fleet.Nats.IntegrationTests;

/// <summary>CONNECT credentials against real nats-servers started with --auth or --user/--pass.</summary>
public class NatsAuthenticationTests
{
    [Fact]
    public async Task TokenAuthenticationConnects()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        using var server = await StartServerAsync(["--auth", "s3cret-token"], cts.Token);

        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token, o => o.Token = "s3cret-token");

        Assert.True(connection.ServerInfo!.AuthRequired);
        await connection.FlushAsync(cts.Token);
    }

    [Fact]
    public async Task UserPasswordAuthenticationConnects()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        using var server = await StartServerAsync(["--user", "fleet", "--pass", "pa55"], cts.Token);

        await using var connection = await TestConnections.ConnectAsync(server.Url, cts.Token, o => (o.User, o.Password) = ("fleet", "pa55"));

        await connection.FlushAsync(cts.Token);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task WrongPasswordFailsConnectWithAuthorizationViolation()
    {
        using var cts = new CancellationTokenSource(TestConnections.Timeout);
        using var server = await StartServerAsync(["--user", "fleet", "--pass", "pa55"], cts.Token);

        var error = await Assert.ThrowsAsync<NatsServerErrorException>(() =>
            TestConnections.ConnectAsync(server.Url, cts.Token, o => (o.User, o.Password) = ("fleet", "wrong")));

        Assert.Contains("Authorization Violation", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<AuthServer> StartServerAsync(string[] authArguments, CancellationToken cancellationToken)
    {
        var port = FreeTcpPort.Next();
        var process = ServerProcess.Start(
            ServerBinary.Require("nats-server", "nats-server"),
            ["-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. authArguments],
            "nats-server");
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await FreeTcpPort.WaitUntilListeningAsync(port, process, TimeSpan.FromSeconds(20));
            return new AuthServer(process, port);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    private sealed class AuthServer(ServerProcess process, int port) : IDisposable
    {
        public string Url => $"nats://127.0.0.1:{port}";

        public void Dispose() => process.Dispose();
    }
}
