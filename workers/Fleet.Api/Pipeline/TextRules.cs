using System.Text.RegularExpressions;

namespace Fleet.Api.Pipeline;

/// <summary>Field validation that collects every error, so one 400 lists each invalid field.</summary>
internal sealed partial class TextRules
{
    private readonly Dictionary<string, string[]> _errors = [];

    /// <summary>
    /// A required string within bounds, without control characters (newline and tab allowed where multi-line),
    /// well-formed UTF-16. Returned verbatim, not trimmed: what the author wrote is what is stored.
    /// </summary>
    public string Text(string field, string? value, int minLength, int maxLength, bool multiline = false)
    {
        if (value is null)
        {
            Add(field, "Is required.");
            return string.Empty;
        }

        if (value.Length < minLength || value.Length > maxLength || (minLength > 0 && string.IsNullOrWhiteSpace(value)))
        {
            Add(field, $"Must be {minLength} to {maxLength} characters, not only white space.");
        }
        else if (!IsWellFormed(value, multiline))
        {
            Add(field, multiline ? "Contains control characters or unpaired surrogates." : "Contains line breaks, control characters or unpaired surrogates.");
        }

        return value;
    }

    public string Email(string field, string? value)
    {
        var text = Text(field, value, 3, Limits.EmailMaxLength);
        if (!_errors.ContainsKey(field) && !EmailShape().IsMatch(text))
        {
            Add(field, "Must be an e-mail address.");
        }

        return text.Trim().ToLowerInvariant();
    }

    public string Password(string field, string? value)
    {
        if (value is null)
        {
            Add(field, "Is required.");
            return string.Empty;
        }

        if (value.Length < Limits.PasswordMinLength || value.Length > Limits.PasswordMaxLength)
        {
            Add(field, $"Must be {Limits.PasswordMinLength} to {Limits.PasswordMaxLength} characters.");
        }
        else if (!IsWellFormed(value, multiline: false))
        {
            Add(field, "Contains control characters or unpaired surrogates.");
        }

        return value;
    }

    public void Add(string field, string message) => _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ApiProblemException(ApiProblem.Validation(_errors));
        }
    }

    private static bool IsWellFormed(string value, bool multiline)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c) || (char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
            {
                return false;
            }
        }

        return true;
    }

    // Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is the mail server's business.
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();
}
