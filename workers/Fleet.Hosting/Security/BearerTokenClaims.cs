namespace Fleet.Hosting.Security;

/// <summary>The claims of a verified bearer token that the workers use.</summary>
/// <param name="Subject">The <c>sub</c> claim: 1 to 64 characters.</param>
/// <param name="AccountId">The subject as a positive account id, or null when it is not one.</param>
/// <param name="Email">The <c>email</c> claim, or null when absent.</param>
/// <param name="Role">The <c>role</c> claim, or null when absent.</param>
/// <param name="ExpiresAt">The <c>exp</c> claim.</param>
public sealed record BearerTokenClaims(string Subject, long? AccountId, string? Email, string? Role, DateTimeOffset ExpiresAt);
