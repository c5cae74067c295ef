using Fleet.TestUtilities;

namespace Fleet.Data.IntegrationTests;

/// <summary>One MariaDB for every test class here; each test creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class MySqlCollection : ICollectionFixture<MySqlFixture>
{
    public const string Name = "mysql";
}
