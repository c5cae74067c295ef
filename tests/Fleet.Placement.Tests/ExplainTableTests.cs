using Fleet.Placement;
using static Fleet.Placement.Tests.Requests;

namespace Fleet.Placement.Tests;

public class ExplainTableTests
{
    [Fact]
    public async Task ListsEveryHostWithItsRoomAndInstancesAndWhatDidNotFit()
    {
        var plan = await PlanAsync(Request(
            [Donor("a", cpu: 1, memoryMb: 1000), Donor("b", cpu: 2, memoryMb: 300), Dedicated("ded")],
            [Worker("api", 2, cpu: 1, memoryMb: 600)]));

        var lines = ExplainTable.Render(plan).Split('\n');

        Assert.StartsWith("HOST", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^a\s+eu\s+donor\s+1\s+1\s+1000\s+600\s+fleet-eu-api-1$", lines[1]);
        Assert.Matches(@"^b\s+eu\s+donor\s+2\s+0\s+300\s+0\s+-$", lines[2]);
        Assert.Matches(@"^ded\s+eu\s+dedicated \(not eligible\)\s", lines[3]);
        Assert.Equal("1 placed, 0 kept where they ran, 1 not placed", lines[4]);
        Assert.Equal("NOT PLACED fleet-eu-api-2: does not fit; best host b is short of 0 cpu and 300 MB memory", lines[5]);
    }
}
