using Fleet.Api.Accounts;
using Fleet.Api.Outbox;
using Fleet.Data;
using Fleet.Hosting.Security;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Pipeline;

/// <summary>What handlers use, gathered once so a handler is a static method with no constructor plumbing.</summary>
internal sealed class ApiServices(
    DbConnectionFactory db,
    JwtTokenService tokens,
    BearerTokenVerifier verifier,
    OutboxSignal outbox,
    IOptions<ApiOptions> options,
    IOptions<Fleet.Hosting.FleetOptions> fleet,
    TimeProvider time)
{
    public DbConnectionFactory Db { get; } = db;

    public JwtTokenService Tokens { get; } = tokens;

    public BearerTokenVerifier Verifier { get; } = verifier;

    public OutboxSignal Outbox { get; } = outbox;

    public ApiOptions Options { get; } = options.Value;

    public string Region { get; } = fleet.Value.Region;

    public TimeProvider Time { get; } = time;

    public IReadOnlySet<string> Editors { get; } = options.Value.Editors
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(e => e.ToLowerInvariant())
        .ToHashSet(StringComparer.Ordinal);
}
