using System.Text.RegularExpressions;

namespace Fleet.EndToEnd.Tests;

/// <summary>The backup of each service's schema restores into a fresh MariaDB with equal row counts and checksums.</summary>
[Collection(SimFleetCollection.Name)]
public sealed partial class RestoreDrillTests
{
    [Fact]
    public async Task BackupRestoresWithMatchingCountsAndChecksums()
    {
        var id = $"e2e{DateTime.UtcNow:yyyyMMddHHmmss}";

        var drill = await SimFleetFixture.RunPlaybookAsync("restore_drill.yml", "-e", $"mysql_backup_id={id}");

        var passed = DrillPassed().Match(drill.Output);
        Assert.True(passed.Success, $"no passing drill in:\n{drill.Output}");
        Assert.True(int.Parse(passed.Groups["tables"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var dump = Path.Combine(SimFleetFixture.StateDirectory, "backups", id, "fleet_api.sql");
        Assert.Contains("CREATE DATABASE", await File.ReadAllTextAsync(dump), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(SimFleetFixture.StateDirectory, "backups", $"drill-{id}")), "the drill left its temporary MariaDB's data");
    }

    [GeneratedRegex(@"Restore drill passed: (?<tables>\d+) tables")]
    private static partial Regex DrillPassed();
}
