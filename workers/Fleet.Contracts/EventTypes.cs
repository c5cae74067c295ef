namespace Fleet.Contracts;

/// <summary>The domain event types the API worker emits (the last tokens of the event subject).</summary>
public static class EventTypes
{
    /// <summary>An account was registered (personal data).</summary>
    public const string AccountRegistered = "account.registered";

    /// <summary>An account's profile changed (personal data).</summary>
    public const string AccountProfileUpdated = "account.profile.updated";

    /// <summary>A forum topic was created (public).</summary>
    public const string TopicCreated = "forum.topic.created";

    /// <summary>A forum post was created (public).</summary>
    public const string PostCreated = "forum.post.created";

    /// <summary>A forum post was edited (public).</summary>
    public const string PostUpdated = "forum.post.updated";

    /// <summary>A forum post was deleted; its row stays as a tombstone (public).</summary>
    public const string PostDeleted = "forum.post.deleted";

    /// <summary>An announcement was published (public).</summary>
    public const string AnnouncementCreated = "content.announcement.created";
}
