namespace Fleet.Chat;

/// <summary>The open sessions of this instance: enforces the per-instance cap and lets drain reach every one.</summary>
internal sealed class ConnectionRegistry
{
    private readonly Lock _lock = new();
    private readonly HashSet<ChatConnection> _connections = [];
    private int _reserved;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Takes a slot before the upgrade, so the cap holds even while many upgrades race.</summary>
    public bool TryReserve(int max)
    {
        lock (_lock)
        {
            if (_reserved >= max)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    public void Add(ChatConnection connection)
    {
        lock (_lock)
        {
            _connections.Add(connection);
        }
    }

    public void Release(ChatConnection? connection)
    {
        lock (_lock)
        {
            _reserved--;
            if (connection is not null)
            {
                _connections.Remove(connection);
            }
        }
    }

    public IReadOnlyList<ChatConnection> Snapshot()
    {
        lock (_lock)
        {
            return [.. _connections];
        }
    }
}
