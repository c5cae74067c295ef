namespace Fleet.Data;

/// <summary>Whether the worker's migrations have run; the MySQL ready check stays unhealthy until they have.</summary>
public sealed class MigrationState
{
    private volatile bool _completed;
    private volatile string? _lastError;

    /// <summary>True once every migration is applied.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Why the last attempt failed, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Records success.</summary>
    public void MarkCompleted()
    {
        _lastError = null;
        _completed = true;
    }

    /// <summary>Records a failed attempt.</summary>
    /// <param name="error">A one-line reason.</param>
    public void MarkFailed(string error) => _lastError = error;
}
