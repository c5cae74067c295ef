using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Fleet.Data;

/// <summary>
/// One versioned schema change. Applied migrations never change: the runner stores each one's checksum and
/// refuses to start when a file was edited after it ran. Fix a mistake with a new version instead.
/// </summary>
/// <param name="Version">The version, unique and increasing (<c>V001</c> → 1).</param>
/// <param name="Name">A description, from the file name.</param>
/// <param name="Sql">The statements; each ends with <c>;</c> at the end of a line.</param>
public sealed partial record Migration(int Version, string Name, string Sql)
{
    /// <summary>The SHA-256 of the SQL text with line endings normalised, as lowercase hex.</summary>
    public string Checksum =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>
    /// Splits the SQL into statements at a <c>;</c> that ends a line. MySQL runs DDL one statement at a time and
    /// commits each, so the runner executes them one by one and each must be idempotent
    /// (<c>CREATE TABLE IF NOT EXISTS</c>, …) for a migration interrupted half-way to be re-run safely.
    /// </summary>
    public IReadOnlyList<string> Statements()
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var line in Sql.ReplaceLineEndings("\n").Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            current.AppendLine(trimmed);
            if (trimmed.EndsWith(';'))
            {
                AddStatement(statements, current);
            }
        }

        AddStatement(statements, current);
        return statements;
    }

    /// <summary>
    /// Loads the migrations embedded in an assembly as resources whose file name is <c>V&lt;n&gt;__&lt;name&gt;.sql</c>
    /// (for example <c>Migrations/V001__accounts.sql</c> with <c>&lt;EmbeddedResource Include="Migrations/*.sql" /&gt;</c>).
    /// </summary>
    /// <param name="assembly">The worker's assembly.</param>
    /// <returns>The migrations ordered by version.</returns>
    /// <exception cref="InvalidOperationException">Two resources share a version.</exception>
    public static IReadOnlyList<Migration> FromEmbeddedResources(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations in {assembly.GetName().Name} have version {duplicate.Key}.");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    private static void AddStatement(List<string> statements, StringBuilder current)
    {
        var statement = current.ToString().Trim();
        current.Clear();
        if (statement.Length > 0 && statement != ";")
        {
            statements.Add(statement.TrimEnd(';').TrimEnd());
        }
    }

    [GeneratedRegex(@"(^|[./\\])V(?<version>\d+)__(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();
}
