using Fleet.TestUtilities;

namespace Fleet.MySql.IntegrationTests;

/// <summary>One real MariaDB shared by the non-destructive tests; each test class creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class MySqlServerGroup : ICollectionFixture<MySqlFixture>
{
    public const string Name = "MySql";
}
