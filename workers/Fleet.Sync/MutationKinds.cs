namespace Fleet.Sync;

/// <summary>
/// The offline edits the app supports. Each is forwarded to the API's own operation, so validation, ownership
/// and version checks live in one place and the API emits the same events as for an online edit.
/// </summary>
internal static class MutationKinds
{
    public static readonly MutationKind CreatePost = new("post.create", "forum.posts.create", "topicId", SendsBody: true);
    public static readonly MutationKind EditPost = new("post.edit", "forum.posts.update", "postId", SendsBody: true);
    public static readonly MutationKind DeletePost = new("post.delete", "forum.posts.delete", "postId", SendsBody: false);
    public static readonly MutationKind EditProfile = new("profile.edit", "accounts.me.update", null, SendsBody: true);

    private static readonly Dictionary<string, MutationKind> ByName =
        new[] { CreatePost, EditPost, DeletePost, EditProfile }.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Keys;

    public static MutationKind? Find(string? name) => name is not null && ByName.TryGetValue(name, out var kind) ? kind : null;
}
