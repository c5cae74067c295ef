namespace Fleet.Hosting;

/// <summary>
/// Configuration that cannot be used at all (a value that does not convert, a malformed <c>.env</c> line).
/// <see cref="FleetExitCode.FromException"/> turns it into a one-line message and exit code 2.
/// </summary>
public sealed class FleetConfigurationException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public FleetConfigurationException()
    {
    }

    /// <summary>Creates the exception with a one-line reason.</summary>
    /// <param name="message">The reason, naming the key or file at fault.</param>
    public FleetConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line reason and its cause.</summary>
    /// <param name="message">The reason, naming the key or file at fault.</param>
    /// <param name="innerException">The cause.</param>
    public FleetConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
