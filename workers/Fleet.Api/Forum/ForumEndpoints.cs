using Dapper;
using Fleet.Api.Pipeline;
using Fleet.Contracts;

namespace Fleet.Api.Forum;

/// <summary>Forum topics and posts: public content. Posts are edited and deleted by their author only.</summary>
internal static class ForumEndpoints
{
    private const string Tag = "forum";

    private static readonly ApiParameter IdParameter = new("id", "path", "integer", true, "The id.");

    private static readonly ApiParameter[] PageParameters =
    [
        new("cursor", "query", "string", false, "The nextCursor of the previous page; omit for the first page."),
        new("limit", "query", "integer", false, $"Page size, 1 to {Limits.MaxPageSize}; default {Limits.DefaultPageSize}."),
    ];

    public static IEnumerable<ApiOperation> Operations() =>
    [
        new("forum.topics.create", "POST", "/api/v1/forum/topics", "Create a topic.", Tag, ApiAccess.Authenticated,
            "CreateTopicRequest", [], new ApiSuccess(201, "The topic was created.", "Topic"), [], Idempotent: true, CreateTopicAsync),
        new("forum.topics.list", "GET", "/api/v1/forum/topics", "List topics, newest first.", Tag, ApiAccess.Anonymous,
            null, PageParameters, new ApiSuccess(200, "A page of topics.", "TopicPage"), [], Idempotent: false, ListTopicsAsync),
        new("forum.topics.get", "GET", "/api/v1/forum/topics/{id}", "Read one topic.", Tag, ApiAccess.Anonymous,
            null, [IdParameter], new ApiSuccess(200, "The topic.", "Topic"), [], Idempotent: false, GetTopicAsync),
        new("forum.posts.create", "POST", "/api/v1/forum/topics/{id}/posts", "Add a post to a topic.", Tag, ApiAccess.Authenticated,
            "CreatePostRequest", [IdParameter], new ApiSuccess(201, "The post was created.", "Post"), [], Idempotent: true, CreatePostAsync),
        new("forum.posts.list", "GET", "/api/v1/forum/topics/{id}/posts", "List a topic's posts, oldest first.", Tag, ApiAccess.Anonymous,
            null, [IdParameter, .. PageParameters], new ApiSuccess(200, "A page of posts.", "PostPage"), [], Idempotent: false, ListPostsAsync),
        new("forum.posts.get", "GET", "/api/v1/forum/posts/{id}", "Read one post.", Tag, ApiAccess.Anonymous,
            null, [IdParameter], new ApiSuccess(200, "The post.", "Post"), [], Idempotent: false, GetPostAsync),
        new("forum.posts.update", "PATCH", "/api/v1/forum/posts/{id}", "Edit your own post.", Tag, ApiAccess.Authenticated,
            "UpdatePostRequest", [IdParameter], new ApiSuccess(200, "The edited post.", "Post"), [403, 409], Idempotent: false, UpdatePostAsync),
        new("forum.posts.delete", "DELETE", "/api/v1/forum/posts/{id}", "Delete your own post (a tombstone remains for sync).", Tag, ApiAccess.Authenticated,
            null, [IdParameter], new ApiSuccess(204, "The post was deleted.", null), [403], Idempotent: false, DeletePostAsync),
    ];

    private static async Task<ApiResult> CreateTopicAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var request = context.ReadBody<CreateTopicRequest>();
        var rules = new TextRules();
        var title = rules.Text("title", request.Title, 1, Limits.TitleMaxLength);
        rules.ThrowIfInvalid();

        return await context.WriteAsync(async (connection, transaction) =>
        {
            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            var id = await Sql.InsertAsync(
                connection,
                transaction,
                "INSERT INTO topics (title, author_id, version, created_at, updated_at) VALUES (@title, @AccountId, 1, @now, @now)",
                new { title, caller.AccountId, now },
                cancellationToken);
            var topic = new TopicDto(id, title, caller.AccountId, 1, Utc(now));
            context.AddEvent(EventTypes.TopicCreated, "topic", id, 1, personal: false, topic);
            return ApiResult.Created(topic, $"/api/v1/forum/topics/{id}");
        }, cancellationToken);
    }

    private static async Task<ApiResult> ListTopicsAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var before = PageCursor.Decode(context.OptionalParameter("cursor"));
        var limit = context.PageSize();
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<TopicDto>(new CommandDefinition(
            TopicSelect + " WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = before ?? long.MaxValue, take = limit + 1 },
            cancellationToken: cancellationToken))).ToList();
        return ApiResult.Ok(Page<TopicDto>.From(rows, limit, t => t.Id));
    }

    private static async Task<ApiResult> GetTopicAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var id = context.IdParameter("id");
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var topic = await connection.QuerySingleOrDefaultAsync<TopicDto>(new CommandDefinition(
            TopicSelect + " WHERE id = @id", new { id }, cancellationToken: cancellationToken))
            ?? throw new ApiProblemException(ApiProblem.NotFound($"Topic {id} does not exist."));
        return ApiResult.Ok(topic);
    }

    private static async Task<ApiResult> CreatePostAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var topicId = context.IdParameter("id");
        var request = context.ReadBody<CreatePostRequest>();
        var rules = new TextRules();
        var body = rules.Text("body", request.Body, 1, Limits.PostBodyMaxLength, multiline: true);
        rules.ThrowIfInvalid();

        return await context.WriteAsync(async (connection, transaction) =>
        {
            // Share-lock the topic so it cannot vanish between the check and the insert (no FK by design:
            // topics are never hard-deleted, and a FK would couple the tables' replication order in sync).
            var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM topics WHERE id = @topicId LOCK IN SHARE MODE", new { topicId }, transaction, cancellationToken: cancellationToken));
            if (exists is null)
            {
                throw new ApiProblemException(ApiProblem.NotFound($"Topic {topicId} does not exist."));
            }

            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            var id = await Sql.InsertAsync(
                connection,
                transaction,
                "INSERT INTO posts (topic_id, author_id, body, version, created_at, updated_at) VALUES (@topicId, @AccountId, @body, 1, @now, @now)",
                new { topicId, caller.AccountId, body, now },
                cancellationToken);
            var post = new PostDto(id, topicId, caller.AccountId, body, 1, Utc(now), Utc(now));
            context.AddEvent(EventTypes.PostCreated, "post", id, 1, personal: false, post);
            return ApiResult.Created(post, $"/api/v1/forum/posts/{id}");
        }, cancellationToken);
    }

    private static async Task<ApiResult> ListPostsAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var topicId = context.IdParameter("id");
        var after = PageCursor.Decode(context.OptionalParameter("cursor"));
        var limit = context.PageSize();
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM topics WHERE id = @topicId", new { topicId }, cancellationToken: cancellationToken));
        if (exists is null)
        {
            throw new ApiProblemException(ApiProblem.NotFound($"Topic {topicId} does not exist."));
        }

        var rows = (await connection.QueryAsync<PostDto>(new CommandDefinition(
            PostSelect + " WHERE topic_id = @topicId AND id > @after AND deleted_at IS NULL ORDER BY id LIMIT @take",
            new { topicId, after = after ?? 0, take = limit + 1 },
            cancellationToken: cancellationToken))).ToList();
        return ApiResult.Ok(Page<PostDto>.From(rows, limit, p => p.Id));
    }

    private static async Task<ApiResult> GetPostAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var id = context.IdParameter("id");
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var post = await connection.QuerySingleOrDefaultAsync<PostDto>(new CommandDefinition(
            PostSelect + " WHERE id = @id AND deleted_at IS NULL", new { id }, cancellationToken: cancellationToken))
            ?? throw new ApiProblemException(ApiProblem.NotFound($"Post {id} does not exist."));
        return ApiResult.Ok(post);
    }

    private static async Task<ApiResult> UpdatePostAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var id = context.IdParameter("id");
        var request = context.ReadBody<UpdatePostRequest>();
        var rules = new TextRules();
        var body = rules.Text("body", request.Body, 1, Limits.PostBodyMaxLength, multiline: true);
        if (request.Version is < 1)
        {
            rules.Add("version", "Must be a positive integer.");
        }

        rules.ThrowIfInvalid();
        return await context.WriteAsync(async (connection, transaction) =>
        {
            var post = await LockOwnPostAsync(connection, transaction, id, caller, cancellationToken);
            if (request.Version is { } expected && expected != post.Version)
            {
                throw new ApiProblemException(ApiProblem.Conflict($"The post is at version {post.Version}, not {expected}."));
            }

            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE posts SET body = @body, version = version + 1, updated_at = @now WHERE id = @id",
                new { body, now, id },
                transaction,
                cancellationToken: cancellationToken));
            var updated = post with { Body = body, Version = post.Version + 1, UpdatedAt = Utc(now) };
            context.AddEvent(EventTypes.PostUpdated, "post", id, updated.Version, personal: false, updated);
            return ApiResult.Ok(updated);
        }, cancellationToken);
    }

    private static async Task<ApiResult> DeletePostAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var id = context.IdParameter("id");
        return await context.WriteAsync(async (connection, transaction) =>
        {
            var post = await LockOwnPostAsync(connection, transaction, id, caller, cancellationToken);
            var now = context.Services.Time.GetUtcNow().UtcDateTime;

            // A tombstone: the row stays with its id and a new version so sync can tell clients to delete it;
            // the text goes, because the author asked for it to go.
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE posts SET body = '', version = version + 1, updated_at = @now, deleted_at = @now WHERE id = @id",
                new { now, id },
                transaction,
                cancellationToken: cancellationToken));
            context.AddEvent(EventTypes.PostDeleted, "post", id, post.Version + 1, personal: false, null);
            return ApiResult.NoContent();
        }, cancellationToken);
    }

    private static async Task<PostDto> LockOwnPostAsync(
        System.Data.Common.DbConnection connection,
        System.Data.Common.DbTransaction transaction,
        long id,
        Caller caller,
        CancellationToken cancellationToken)
    {
        var post = await connection.QuerySingleOrDefaultAsync<PostDto>(new CommandDefinition(
            PostSelect + " WHERE id = @id AND deleted_at IS NULL FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken))
            ?? throw new ApiProblemException(ApiProblem.NotFound($"Post {id} does not exist."));
        return post.AuthorId == caller.AccountId
            ? post
            : throw new ApiProblemException(ApiProblem.Forbidden("Only the author may change a post."));
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private const string TopicSelect =
        "SELECT id AS Id, title AS Title, author_id AS AuthorId, version AS Version, created_at AS CreatedAt FROM topics";

    private const string PostSelect =
        """
        SELECT id AS Id, topic_id AS TopicId, author_id AS AuthorId, body AS Body, version AS Version,
               created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM posts
        """;

    internal sealed record CreateTopicRequest(string? Title);

    internal sealed record CreatePostRequest(string? Body);

    internal sealed record UpdatePostRequest(string? Body, int? Version);

    internal sealed record TopicDto(long Id, string Title, long AuthorId, int Version, DateTime CreatedAt)
    {
        public DateTime CreatedAt { get; init; } = Utc(CreatedAt);
    }

    internal sealed record PostDto(long Id, long TopicId, long AuthorId, string Body, int Version, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public DateTime CreatedAt { get; init; } = Utc(CreatedAt);

        public DateTime UpdatedAt { get; init; } = Utc(UpdatedAt);
    }
}
