namespace Fleet.Hosting.Tests;

public sealed class RequestIdTests
{
    [Theory]
    [InlineData("7F000001:C5A2_0A000003:1F90_655D1C2E_0001:2A3B", true)]
    [InlineData("abc-123", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("has space", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("caf\u00e9", false)]
    public void SanitizeAcceptsOnlyVisibleAscii(string? value, bool accepted) =>
        Assert.Equal(accepted ? value : null, RequestId.Sanitize(value));

    [Fact]
    public void SanitizeRejectsOverlongIds()
    {
        Assert.NotNull(RequestId.Sanitize(new string('a', RequestId.MaxLength)));
        Assert.Null(RequestId.Sanitize(new string('a', RequestId.MaxLength + 1)));
    }

    [Fact]
    public void NewIdsAreDistinctLowerCaseHexOfTheUsualLength()
    {
        var ids = Enumerable.Range(0, 10_000).AsParallel().Select(_ => RequestId.New()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.All(ids, id => Assert.Equal(id, RequestId.Sanitize(id)));
    }

    [Fact]
    public async Task PushFlowsAcrossAwaitsAndRestoresThePreviousId()
    {
        Assert.Null(RequestId.Current);
        using (RequestId.Push("outer"))
        {
            using (RequestId.Push("inner"))
            {
                await Task.Yield();
                Assert.Equal("inner", RequestId.Current);
            }

            Assert.Equal("outer", RequestId.Current);
            Assert.Equal("outer", await Task.Run(() => RequestId.Current));
        }

        Assert.Null(RequestId.Current);
    }
}
