using System.ComponentModel.DataAnnotations;

namespace Fleet.Hosting;

/// <summary>Settings every worker shares: identity (for logs and routing), drain and shutdown timing, log files.</summary>
public sealed class FleetOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Fleet";

    /// <summary>The region this instance serves, lower-case (<c>eu</c>, <c>us-east</c>). Required.</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{0,31}$", ErrorMessage = "Fleet:Region must be lower-case letters, digits and '-', starting with a letter (e.g. eu).")]
    public string Region { get; set; } = string.Empty;

    /// <summary>The instance name; defaults to the host name, which is the container name <c>fleet-&lt;region&gt;-&lt;kind&gt;-&lt;n&gt;</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", ErrorMessage = "Fleet:Instance must be a host-name-like word (letters, digits, '.', '_', '-').")]
    public string Instance { get; set; } = Environment.MachineName;

    /// <summary>The worker kind (<c>api</c>, <c>chat</c>, <c>sync</c>), set in code by <c>AddFleetDefaults</c>.</summary>
    [Required]
    [RegularExpression("^[a-z][a-z0-9-]{0,31}$", ErrorMessage = "Fleet:Kind must be lower-case letters, digits and '-'.")]
    public string Kind { get; set; } = string.Empty;

    /// <summary>
    /// How long <c>/readyz</c> reports 503 before the worker stops accepting. It must cover HAProxy's check
    /// interval times its fall count (2s × 2 in our template) so traffic has moved before the listener closes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The whole stop budget (drain delay included) given to <c>HostOptions.ShutdownTimeout</c>. It stays a few
    /// seconds below the supervisor's stop timeout (systemd's TimeoutStopSec=30s on our units) so we finish
    /// before SIGKILL.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The directory of the rolling JSON-lines log files; relative paths start at the working directory.</summary>
    [Required]
    public string LogDirectory { get; set; } = "logs";

    /// <summary>The size at which a log file rolls over to a new one, in bytes.</summary>
    [Range(1024L * 1024, 10L * 1024 * 1024 * 1024)]
    public long LogFileSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How many log files are kept; with daily files and the size limit this bounds disk use on the donor host.</summary>
    [Range(1, 366)]
    public int LogRetainedFileCount { get; set; } = 14;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DrainDelay >= ShutdownTimeout)
        {
            yield return new ValidationResult(
                "Fleet:DrainDelay must be shorter than Fleet:ShutdownTimeout, or in-flight requests get no time to finish.",
                [nameof(DrainDelay), nameof(ShutdownTimeout)]);
        }
    }
}
