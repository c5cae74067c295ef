using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleet.Api;

/// <summary>Not ready until the NATS transport has subscribed, so a NATS-only instance gets no traffic it cannot answer.</summary>
internal sealed class NatsTransportReadyCheck(NatsTransportService transport) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(transport.IsServing
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The API is not subscribed on NATS yet."));
}
