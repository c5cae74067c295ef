namespace Fleet.LoadRunner;

/// <summary>One offline-first sync client: its id, its account's token and the seq its next mutation gets.</summary>
internal sealed class SyncClientState(string id, string token)
{
    public string Id { get; } = id;

    public string Token { get; } = token;

    public long NextSeq { get; set; } = 1;
}
