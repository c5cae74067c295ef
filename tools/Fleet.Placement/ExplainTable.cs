using System.Globalization;
using System.Text;

namespace Fleet.Placement;

/// <summary>The <c>--explain</c> view: one row per host with its allocatable room, what the plan uses, and what it places.</summary>
internal static class ExplainTable
{
    private static readonly string[] Header =
        ["HOST", "REGION", "ROLE", "CPU ALLOC", "CPU USED", "MEM ALLOC MB", "MEM USED MB", "INSTANCES"];

    public static string Render(PlacementPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var rows = new List<string[]> { Header };
        foreach (var host in plan.Allocation)
        {
            var role = (host.Dedicated ? "dedicated" : "donor") + (host.Eligible ? "" : " (not eligible)");
            rows.Add(
            [
                host.Name,
                host.Region,
                role,
                host.AllocatableCpu.ToString("0.###", CultureInfo.InvariantCulture),
                host.RequestedCpu.ToString("0.###", CultureInfo.InvariantCulture),
                host.AllocatableMemoryMb.ToString(CultureInfo.InvariantCulture),
                host.RequestedMemoryMb.ToString(CultureInfo.InvariantCulture),
                host.Instances.Count == 0 ? "-" : string.Join(' ', host.Instances),
            ]);
        }

        var widths = Enumerable.Range(0, rows[0].Length - 1).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < widths.Length; c++)
            {
                text.Append(row[c].PadRight(widths[c])).Append("  ");
            }

            text.Append(row[^1]).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{plan.Placements.Count} placed, {plan.Placements.Count(p => p.Kept)} kept where they ran, {plan.Unplaced.Count} not placed\n");
        foreach (var unplaced in plan.Unplaced)
        {
            text.Append("NOT PLACED ").Append(unplaced.Describe()).Append('\n');
        }

        return text.ToString();
    }
}
