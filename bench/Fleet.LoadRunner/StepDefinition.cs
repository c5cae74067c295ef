namespace Fleet.LoadRunner;

/// <summary>
/// One request template. <see cref="Path"/> and <see cref="Body"/> may hold placeholders filled per request:
/// <c>{post}</c>, <c>{topic}</c> (a random id created by the setup), <c>{email}</c> and <c>{password}</c> (a random
/// setup account), <c>{unique}</c> (unique per request and run).
/// </summary>
public sealed record StepDefinition
{
    /// <summary>Step name in reports.</summary>
    public required string Name { get; init; }

    /// <summary>What the step sends: an HTTP request (default), a chat message or a sync push batch.</summary>
    public StepKind Kind { get; init; } = StepKind.Http;

    /// <summary>Relative weight in the scenario's mix.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>HTTP method (HTTP steps).</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Path and query below the base URL; for chat the WebSocket path, for sync-push the mutations path.</summary>
    public required string Path { get; init; }

    /// <summary>HTTP: JSON body template, or null for none. Chat and sync-push: the message or post text template.</summary>
    public string? Body { get; init; }

    /// <summary>Sends a setup account's bearer token (HTTP steps; chat and sync-push always authenticate).</summary>
    public bool Auth { get; init; }

    /// <summary>Sends a fresh <c>Idempotency-Key</c> header.</summary>
    public bool IdempotencyKey { get; init; }

    /// <summary>Status codes that count as success; any 2xx when empty.</summary>
    public IReadOnlyList<int> Expect { get; init; } = [];

    /// <summary>Chat: rooms, each joined by <see cref="ClientsPerRoom"/> WebSocket clients before the load starts.</summary>
    public int Rooms { get; init; } = 4;

    /// <summary>Chat: WebSocket clients per room (each message must reach the other members).</summary>
    public int ClientsPerRoom { get; init; } = 4;

    /// <summary>Sync-push: <c>post.create</c> mutations per batch (the sync worker accepts at most 50).</summary>
    public int BatchSize { get; init; } = 5;
}
