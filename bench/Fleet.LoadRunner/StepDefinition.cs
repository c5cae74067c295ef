namespace Fleet.LoadRunner;

/// <summary>
/// One HTTP request template. <see cref="Path"/> and <see cref="Body"/> may hold placeholders filled per request:
/// <c>{post}</c>, <c>{topic}</c> (a random id created by the setup), <c>{email}</c> and <c>{password}</c> (a random
/// setup account), <c>{unique}</c> (unique per request and run).
/// </summary>
public sealed record StepDefinition
{
    /// <summary>Step name in reports.</summary>
    public required string Name { get; init; }

    /// <summary>Relative weight in the scenario's mix.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>HTTP method.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Path and query below the base URL.</summary>
    public required string Path { get; init; }

    /// <summary>JSON body template, or null for none.</summary>
    public string? Body { get; init; }

    /// <summary>Sends a setup account's bearer token.</summary>
    public bool Auth { get; init; }

    /// <summary>Sends a fresh <c>Idempotency-Key</c> header.</summary>
    public bool IdempotencyKey { get; init; }

    /// <summary>Status codes that count as success; any 2xx when empty.</summary>
    public IReadOnlyList<int> Expect { get; init; } = [];
}
