namespace Fleet.LoadRunner;

/// <summary>How load is generated.</summary>
public enum LoadModelKind
{
    /// <summary>Fixed arrival rate: requests start on a timeline that does not wait for answers.</summary>
    Open,

    /// <summary>Fixed concurrency: each virtual user sends its next request when the previous one is answered.</summary>
    Closed,
}
