namespace Fleet.Contracts;

/// <summary>Where domain events are published: a JetStream stream over <c>events.&lt;region&gt;.&lt;type&gt;</c>.</summary>
public static class EventSubjects
{
    /// <summary>The default stream holding every domain event of a region's workers.</summary>
    public const string DefaultStream = "FLEET_EVENTS";

    /// <summary>The default first token of every event subject.</summary>
    public const string DefaultPrefix = "events";

    /// <summary>The subject of one event, e.g. <c>events.eu.forum.post.created</c>.</summary>
    /// <param name="prefix">The subject prefix, normally <see cref="DefaultPrefix"/>.</param>
    /// <param name="region">The region the event happened in.</param>
    /// <param name="type">The event type, e.g. <see cref="EventTypes.PostCreated"/>.</param>
    public static string For(string prefix, string region, string type) => $"{prefix}.{region}.{type}";
}
