using System.ComponentModel.DataAnnotations;

namespace Fleet.Data;

/// <summary>The worker's database settings, bound from <see cref="SectionName"/> (<c>--mysql</c>, <c>FLEET_MYSQL</c>).</summary>
public sealed class DataOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "MySql";

    /// <summary>The connection string of the worker's own schema and user.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "MySql:ConnectionString (--mysql, FLEET_MYSQL) is required.")]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How long the ready check's <c>SELECT 1</c> may take. HAProxy checks every couple of seconds, so a check
    /// must answer well inside that or the checks pile up on a server that is already slow.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a worker waits for another instance that is running the migrations.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MigrationLockTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
