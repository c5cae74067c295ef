using System.ComponentModel.DataAnnotations;

namespace Fleet.Sync;

/// <summary>
/// The API's token settings, read from the keys the API uses (section <c>Api</c>, <c>FLEET_API__JWTKEY</c>), so one
/// secret signs tokens in the API and verifies them here. The key also signs sync cursors.
/// </summary>
internal sealed class SyncTokenOptions
{
    public const string SectionName = "Api";

    [Required(ErrorMessage = "Api:JwtKey (FLEET_API__JWTKEY) is required: the API's token signing key.")]
    [MinLength(32, ErrorMessage = "Api:JwtKey must be at least 32 characters.")]
    public string JwtKey { get; set; } = string.Empty;

    [Required]
    public string JwtIssuer { get; set; } = "fleet-api";
}
