using System.Globalization;
using System.Text;

namespace Fleet.Hosting;

/// <summary>
/// Reads <c>.env</c> files: <c>KEY=VALUE</c> lines, <c>#</c> comments, an optional <c>export</c> prefix,
/// single quotes (literal) and double quotes (with <c>\n \t \" \\</c> escapes). Multi-line values are not
/// supported: secrets and connection strings fit on one line, and a clear error beats a silent misparse.
/// </summary>
internal static class DotEnvFile
{
    public const string DefaultFileName = ".env";

    /// <summary>The explicit file, else <c>./.env</c> when it exists, else null.</summary>
    public static string? ResolvePath(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return Path.GetFullPath(explicitPath);
        }

        var fallback = Path.Combine(Directory.GetCurrentDirectory(), DefaultFileName);
        return File.Exists(fallback) ? fallback : null;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path) =>
        Parse(File.ReadAllLines(path), path);

    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<string> lines, string source)
    {
        var result = new List<KeyValuePair<string, string>>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Error(source, number, "expected KEY=VALUE");
            }

            var key = line[..equals].TrimEnd();
            if (!IsValidKey(key))
            {
                throw Error(source, number, $"'{key}' is not a valid variable name");
            }

            var value = ParseValue(line[(equals + 1)..].TrimStart(), source, number);
            result.Add(new KeyValuePair<string, string>(key, value));
        }

        return result;
    }

    private static string ParseValue(string text, string source, int number)
    {
        if (text.Length == 0)
        {
            return string.Empty;
        }

        if (text[0] == '\'')
        {
            var close = text.IndexOf('\'', 1);
            if (close < 0)
            {
                throw Error(source, number, "unterminated single quote");
            }

            EnsureOnlyCommentFollows(text[(close + 1)..], source, number);
            return text[1..close];
        }

        if (text[0] == '"')
        {
            var value = new StringBuilder();
            for (var i = 1; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '"')
                {
                    EnsureOnlyCommentFollows(text[(i + 1)..], source, number);
                    return value.ToString();
                }

                if (c == '\\' && i + 1 < text.Length)
                {
                    i++;
                    value.Append(text[i] switch
                    {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        var other => other,
                    });
                    continue;
                }

                value.Append(c);
            }

            throw Error(source, number, "unterminated double quote");
        }

        // Unquoted: a '#' after whitespace starts a comment; a '#' inside a word (passwords) does not.
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '#' && char.IsWhiteSpace(text[i - 1]))
            {
                return text[..i].TrimEnd();
            }
        }

        return text.TrimEnd();
    }

    private static void EnsureOnlyCommentFollows(string rest, string source, int number)
    {
        var trimmed = rest.TrimStart();
        if (trimmed.Length > 0 && trimmed[0] != '#')
        {
            throw Error(source, number, "unexpected text after the closing quote");
        }
    }

    private static bool IsValidKey(string key) =>
        (char.IsAsciiLetter(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

    private static FormatException Error(string source, int number, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source}:{number}: {reason}."));
}
