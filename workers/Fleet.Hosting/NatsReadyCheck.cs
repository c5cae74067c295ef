using Fleet.Nats;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleet.Hosting;

/// <summary>Ready only while the NATS connection is up; Reconnecting counts as not ready so HAProxy prefers healthy peers.</summary>
internal sealed class NatsReadyCheck(NatsConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = connection.State;
        if (state != NatsConnectionState.Connected)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"NATS connection is {state}."));
        }

        var server = connection.ServerInfo is { } info ? (info.ServerName.Length > 0 ? info.ServerName : info.ServerId) : "NATS";
        return Task.FromResult(HealthCheckResult.Healthy($"Connected to {server}."));
    }
}
