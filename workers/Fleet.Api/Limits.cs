namespace Fleet.Api;

/// <summary>Bounds on input sizes; each is also the maxLength/maximum in the OpenAPI document.</summary>
internal static class Limits
{
    public const int EmailMaxLength = 254; // RFC 5321 path limit.
    public const int PasswordMinLength = 10;
    public const int PasswordMaxLength = 128; // PBKDF2 cost grows with the password; bound it.
    public const int DisplayNameMaxLength = 100;
    public const int TitleMaxLength = 200;
    public const int PostBodyMaxLength = 10_000;
    public const int AnnouncementBodyMaxLength = 10_000;
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int IdempotencyKeyMaxLength = 200;
}
