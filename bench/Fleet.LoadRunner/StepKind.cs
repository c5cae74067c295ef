namespace Fleet.LoadRunner;

/// <summary>What one step sends; written in scenario files as <c>"kind": "http" | "chat" | "sync-push"</c>.</summary>
public enum StepKind
{
    /// <summary>One HTTP request built from the step's method, path and body.</summary>
    Http,

    /// <summary>
    /// One chat message sent over a WebSocket by a random member of a random room; it completes when the sender has
    /// its ack and every other member of the room has received it.
    /// </summary>
    Chat,

    /// <summary>One <c>POST /sync/v1/mutations</c> batch from a sync client whose seq grows by one per mutation.</summary>
    SyncPush,
}
