using System.ComponentModel.DataAnnotations;
using System.Text;

namespace Fleet.Api;

/// <summary>The API worker's settings (section <c>Api</c>, variables <c>FLEET_API__…</c>).</summary>
internal sealed class ApiOptions : IValidatableObject
{
    public const string SectionName = "Api";

    /// <summary>The HS256 signing key. 32 bytes at least: HMAC-SHA256's security is bounded by the key length.</summary>
    [Required(ErrorMessage = "Api:JwtKey (FLEET_API__JWTKEY) is required: at least 32 characters of secret.")]
    public string JwtKey { get; set; } = string.Empty;

    /// <summary>The token issuer written into and required from every token.</summary>
    [Required]
    public string JwtIssuer { get; set; } = "fleet-api";

    /// <summary>How long a token is valid. Short, because there is no revocation list.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary><c>http</c>, <c>nats</c> or <c>both</c>.</summary>
    public string Transport { get; set; } = "both";

    /// <summary>Comma-separated e-mail addresses that get the <c>editor</c> role when they register.</summary>
    public string Editors { get; set; } = string.Empty;

    /// <summary>
    /// The largest request body accepted (413 beyond). The biggest valid body is a post of
    /// <see cref="Limits.PostBodyMaxLength"/> characters, up to 4 bytes each in UTF-8, plus JSON overhead.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The JetStream stream the outbox relay publishes to; created at start when missing.</summary>
    [Required]
    public string EventStream { get; set; } = Contracts.EventSubjects.DefaultStream;

    /// <summary>The first token of event subjects; the stream captures <c>&lt;prefix&gt;.&gt;</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]+$")]
    public string EventSubjectPrefix { get; set; } = Contracts.EventSubjects.DefaultPrefix;

    /// <summary>How often the relay looks for pending outbox rows when nothing woke it up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public ApiTransport ParsedTransport => ParseTransport(Transport) ?? ApiTransport.None;

    public static ApiTransport? ParseTransport(string value) => value.Trim().ToUpperInvariant() switch
    {
        "HTTP" => ApiTransport.Http,
        "NATS" => ApiTransport.Nats,
        "BOTH" => ApiTransport.Both,
        _ => null,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Encoding.UTF8.GetByteCount(JwtKey) < 32)
        {
            yield return new ValidationResult("Api:JwtKey must be at least 32 bytes.", [nameof(JwtKey)]);
        }

        if (ParseTransport(Transport) is null)
        {
            yield return new ValidationResult("Api:Transport must be http, nats or both.", [nameof(Transport)]);
        }
    }
}
