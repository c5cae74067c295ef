using System.Text;
using Fleet.MySql.Internal;

namespace Fleet.MySql.Tests;

public sealed class QueryWriterTests
{
    [Theory]
    [InlineData("O'Brien", false, @"'O\'Brien'")]
    [InlineData("O'Brien", true, "'O''Brien'")]
    [InlineData("a\\b", false, @"'a\\b'")]
    [InlineData("a\\b", true, @"'a\b'")]
    [InlineData("\0\n\r\x1a\"", false, @"'\0\n\r\Z\""'")]
    [InlineData("\0\n\"", true, "'\0\n\"'")]
    [InlineData("👍", false, "'👍'")]
    public void StringsAreEscapedForTheSqlMode(string value, bool noBackslashEscapes, string expected) =>
        Assert.Equal(expected, Bind("SELECT @p", noBackslashEscapes, ("p", value))["SELECT ".Length..]);

    [Fact]
    public void LoneSurrogateBecomesReplacementCharacterLikeEncodingUtf8() =>
        Assert.Equal("SELECT '\uFFFD'", Bind("SELECT @p", false, ("p", "\uD800")));

    [Fact]
    public void ValuesOfEveryTypeBecomeLiterals()
    {
        Assert.Equal("NULL", Bind("@p", false, ("p", null)));
        Assert.Equal("NULL", Bind("@p", false, ("p", DBNull.Value)));
        Assert.Equal("1", Bind("@p", false, ("p", true)));
        Assert.Equal("-42", Bind("@p", false, ("p", -42)));
        Assert.Equal("18446744073709551615", Bind("@p", false, ("p", ulong.MaxValue)));
        Assert.Equal("0.30000000000000004", Bind("@p", false, ("p", 0.1 + 0.2)));
        Assert.Equal("1.5", Bind("@p", false, ("p", 1.5m)));
        Assert.Equal("X'00FF27'", Bind("@p", false, ("p", new byte[] { 0, 255, 0x27 })));
        Assert.Equal("'2024-01-02 03:04:05'", Bind("@p", false, ("p", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified))));
        Assert.Equal("'2024-01-02 03:04:05.000007'", Bind("@p", false, ("p", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified).AddTicks(70))));
        Assert.Equal("'-26:03:04.500000'", Bind("@p", false, ("p", -new TimeSpan(1, 2, 3, 4, 500))));
        Assert.Equal("'0f8fad5b-d9cb-469f-a165-70867728950e'", Bind("@p", false, ("p", new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"))));
        Assert.Equal("3", Bind("@p", false, ("p", DayOfWeek.Wednesday)));
        Assert.Throws<ArgumentException>(() => Bind("@p", false, ("p", double.NaN)));
        Assert.Throws<NotSupportedException>(() => Bind("@p", false, ("p", new object())));
    }

    [Fact]
    public void PlaceholdersInsideStringsCommentsAndIdentifiersAreLeftAlone()
    {
        const string sql = "SELECT '@p', \"?@p\", `@p`, @@version, 'it''s @p', 'a\\'@p' -- @p\n, /* @p */ @p # @p\n";
        Assert.Equal(
            "SELECT '@p', \"?@p\", `@p`, @@version, 'it''s @p', 'a\\'@p' -- @p\n, /* @p */ 7 # @p\n",
            Bind(sql, false, ("@p", 7)));
    }

    [Fact]
    public void NamesMatchWithoutPrefixOrCase() =>
        Assert.Equal("SELECT 1, 2", Bind("SELECT @Id, @OTHER", false, ("id", 1), ("@other", 2)));

    [Fact]
    public void QuestionMarksBindByPosition()
    {
        var parameters = new MySqlParameterCollection { new MySqlParameter { Value = 1 }, new MySqlParameter { Value = "x" } };
        Assert.Equal("SELECT 1, 'x', '?'", Write("SELECT ?, ?, '?'", false, parameters, allowUserVariables: false).Sql);
        Assert.Throws<MySqlException>(() => Write("SELECT ?, ?, ?", false, parameters, allowUserVariables: false));
    }

    [Fact]
    public void QuestionMarkStaysLiteralWhenAllParametersAreNamed() =>
        Assert.Equal("SELECT ? , 5", Bind("SELECT ? , @n", false, ("n", 5)));

    [Fact]
    public void UnknownParameterIsAnErrorUnlessUserVariablesAreAllowed()
    {
        var error = Assert.Throws<MySqlException>(() => Write("SELECT @nope", false, new MySqlParameterCollection(), allowUserVariables: false));
        Assert.Equal(MySqlErrorCodes.ParameterNotDefined, error.Number);
        var (sql, dirty) = Write("SELECT @nope", false, new MySqlParameterCollection(), allowUserVariables: true);
        Assert.Equal("SELECT @nope", sql);
        Assert.True(dirty);
    }

    [Theory]
    [InlineData("SELECT 1", false)]
    [InlineData("INSERT INTO t VALUES ('SET x')", false)]
    [InlineData("  set autocommit = 0", true)]
    [InlineData("USE other", true)]
    [InlineData("START TRANSACTION", true)]
    [InlineData("CREATE TEMPORARY TABLE t (x INT)", true)]
    [InlineData("CREATE TABLE t (x INT)", false)]
    [InlineData("SELECT GET_LOCK('a', 1)", true)]
    [InlineData("/* c */ LOCK TABLES t READ", true)]
    public void SessionStateStatementsMarkTheSessionDirty(string sql, bool dirty) =>
        Assert.Equal(dirty, Write(sql, false, new MySqlParameterCollection(), allowUserVariables: false).Dirty);

    private static string Bind(string sql, bool noBackslashEscapes, params (string Name, object? Value)[] parameters)
    {
        var collection = new MySqlParameterCollection();
        foreach (var (name, value) in parameters)
        {
            collection.AddWithValue(name, value);
        }

        return Write(sql, noBackslashEscapes, collection, allowUserVariables: false).Sql;
    }

    private static (string Sql, bool Dirty) Write(string sql, bool noBackslashEscapes, MySqlParameterCollection parameters, bool allowUserVariables)
    {
        using var writer = new PayloadWriter();
        var dirty = QueryWriter.Write(writer, sql, parameters, noBackslashEscapes, allowUserVariables);
        return (Encoding.UTF8.GetString(writer.Payload), dirty);
    }
}
