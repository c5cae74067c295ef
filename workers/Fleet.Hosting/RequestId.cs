namespace Fleet.Hosting;

/// <summary>
/// The id of the request being handled, taken from HAProxy's <c>X-Request-ID</c> header (or generated).
/// It flows with the async context, so code far from HttpContext (a NATS publish) can copy it into headers,
/// and a NATS message handler can <see cref="Push"/> the id it received.
/// </summary>
public static class RequestId
{
    /// <summary>The HTTP header (and NATS header) that carries the id.</summary>
    public const string HeaderName = "X-Request-ID";

    /// <summary>The log property name (Serilog and the logging scope).</summary>
    public const string PropertyName = "RequestId";

    /// <summary>
    /// Longest id accepted from outside. HAProxy's unique-id is well under this; anything longer is not ours
    /// and must not bloat every log line.
    /// </summary>
    public const int MaxLength = 128;

    private static readonly AsyncLocal<string?> CurrentId = new();
    private static readonly string ProcessPrefix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private static long _sequence;

    /// <summary>The id of the request this code runs for, or null outside any request.</summary>
    public static string? Current => CurrentId.Value;

    /// <summary>Makes <paramref name="id"/> current until the returned scope is disposed.</summary>
    /// <param name="id">The request id.</param>
    /// <returns>A scope that restores the previous id.</returns>
    public static IDisposable Push(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var previous = CurrentId.Value;
        CurrentId.Value = id;
        return new Scope(previous);
    }

    /// <summary>A fresh id for a request that arrived without one: unique, not secret.</summary>
    /// <returns>32 lower-case hex digits: this process's random prefix, then a counter.</returns>
    /// <remarks>
    /// Guid.NewGuid cost a getrandom system call per request here (glibc's arc4random), visible in a perf profile of
    /// "GET one post"; a 64-bit random prefix per process keeps ids from different workers apart.
    /// </remarks>
    public static string New() =>
        string.Create(32, Interlocked.Increment(ref _sequence), static (chars, sequence) =>
        {
            ProcessPrefix.CopyTo(chars);
            sequence.TryFormat(chars[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });

    /// <summary>
    /// The incoming value if it is usable as an id (1..<see cref="MaxLength"/> visible ASCII characters),
    /// otherwise null. Log injection through a crafted header is not possible with visible ASCII only.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <returns>The id, or null.</returns>
    public static string? Sanitize(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return null;
            }
        }

        return value;
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => CurrentId.Value = previous;
    }
}
