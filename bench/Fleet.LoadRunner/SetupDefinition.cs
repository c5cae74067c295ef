namespace Fleet.LoadRunner;

/// <summary>Data created through the API before the load: accounts (logged in), topics and posts.</summary>
public sealed record SetupDefinition
{
    /// <summary>Accounts to register and log in; their tokens authenticate steps with <c>auth</c>.</summary>
    public int Users { get; init; }

    /// <summary>Topics to create (needs at least one user).</summary>
    public int Topics { get; init; }

    /// <summary>Posts per topic.</summary>
    public int PostsPerTopic { get; init; }
}
