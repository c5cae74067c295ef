namespace Fleet.Hosting.Tests;

public sealed class DotEnvFileTests
{
    [Fact]
    public void ReadsKeysValuesQuotesAndComments()
    {
        var entries = DotEnvFile.Parse(
        [
            "# a comment",
            "",
            "FLEET_REGION=eu",
            "  export FLEET_INSTANCE = fleet-eu-api-1  ",
            "FLEET_MYSQL=\"Server=db;Password=p#ss \\\"x\\\"\"  # trailing comment",
            "LITERAL='no \\n escapes # here'",
            "UNQUOTED=abc#def # comment",
            "EMPTY=",
            "MULTI=\"a\\nb\"",
        ], "test.env");

        Assert.Equal(
            [
                new("FLEET_REGION", "eu"),
                new("FLEET_INSTANCE", "fleet-eu-api-1"),
                new("FLEET_MYSQL", "Server=db;Password=p#ss \"x\""),
                new("LITERAL", "no \\n escapes # here"),
                new("UNQUOTED", "abc#def"),
                new("EMPTY", string.Empty),
                new KeyValuePair<string, string>("MULTI", "a\nb"),
            ],
            entries);
    }

    [Theory]
    [InlineData("NOEQUALS", "test.env:1: expected KEY=VALUE.")]
    [InlineData("=value", "test.env:1: expected KEY=VALUE.")]
    [InlineData("1KEY=value", "test.env:1: '1KEY' is not a valid variable name.")]
    [InlineData("KEY=\"open", "test.env:1: unterminated double quote.")]
    [InlineData("KEY='open", "test.env:1: unterminated single quote.")]
    [InlineData("KEY=\"a\" b", "test.env:1: unexpected text after the closing quote.")]
    public void MalformedLineNamesFileAndLine(string line, string message)
    {
        var error = Assert.Throws<FormatException>(() => DotEnvFile.Parse([line], "test.env"));

        Assert.Equal(message, error.Message);
    }
}
