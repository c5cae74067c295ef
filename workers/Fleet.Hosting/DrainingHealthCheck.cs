using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleet.Hosting;

/// <summary>Fails readiness as soon as draining begins, so HAProxy stops sending new requests.</summary>
internal sealed class DrainingHealthCheck(DrainState drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("Draining: shutting down, send new work elsewhere.")
            : HealthCheckResult.Healthy("Accepting work."));
}
