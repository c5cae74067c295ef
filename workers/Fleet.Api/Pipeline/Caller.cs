namespace Fleet.Api.Pipeline;

/// <summary>The authenticated account a request acts for, from a verified token.</summary>
internal sealed record Caller(long AccountId, string Email, string Role)
{
    public const string EditorRole = "editor";
    public const string MemberRole = "member";
}
