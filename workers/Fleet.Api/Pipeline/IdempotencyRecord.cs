namespace Fleet.Api.Pipeline;

/// <summary>A stored first answer to an idempotent request.</summary>
internal sealed record IdempotencyRecord(string Operation, byte[] RequestHash, int StatusCode, string? ResponseBody, string? Location);

/// <summary>The idempotency key of the request being handled, with the hash of what it asked.</summary>
internal sealed record IdempotencyClaim(string Scope, string Key, string Operation, byte[] RequestHash);
