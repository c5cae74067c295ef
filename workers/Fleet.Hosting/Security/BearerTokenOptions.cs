using System.ComponentModel.DataAnnotations;

namespace Fleet.Hosting.Security;

/// <summary>
/// What verifying the API's bearer tokens needs, bound from the keys the API itself signs with (section
/// <c>Api</c>, environment <c>FLEET_API__JWTKEY</c> as ansible's fleet_worker role passes it to every worker), so
/// one secret signs tokens in the API and verifies them in every worker.
/// </summary>
public sealed class BearerTokenOptions
{
    /// <summary>The configuration section: the API's, not one of its own, so the key is configured once.</summary>
    public const string SectionName = "Api";

    /// <summary>The HS256 signing key shared with the API (at least 32 characters).</summary>
    [Required(ErrorMessage = "Api:JwtKey (FLEET_API__JWTKEY) is required: the API's token signing key.")]
    [MinLength(32, ErrorMessage = "Api:JwtKey must be at least 32 characters.")]
    public string JwtKey { get; set; } = string.Empty;

    /// <summary>The issuer (<c>iss</c>) every accepted token must carry; the API's default.</summary>
    [Required]
    public string JwtIssuer { get; set; } = "fleet-api";
}
