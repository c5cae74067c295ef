namespace Fleet.MySql.Internal;

/// <summary>
/// A malformed packet. Internal because callers see it wrapped in a <see cref="MySqlException"/>; the session
/// that read it is broken afterwards, since we cannot know where the next packet starts.
/// </summary>
internal sealed class MySqlProtocolException : Exception
{
    public MySqlProtocolException()
    {
    }

    public MySqlProtocolException(string message)
        : base(message)
    {
    }

    public MySqlProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
