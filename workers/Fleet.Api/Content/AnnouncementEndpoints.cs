using Dapper;
using Fleet.Api.Pipeline;
using Fleet.Contracts;

namespace Fleet.Api.Content;

/// <summary>Announcements: public content anyone may read and only editors may publish.</summary>
internal static class AnnouncementEndpoints
{
    private const string Tag = "content";

    public static IEnumerable<ApiOperation> Operations() =>
    [
        new("content.announcements.create", "POST", "/api/v1/announcements", "Publish an announcement (role editor).", Tag, ApiAccess.Editor,
            "CreateAnnouncementRequest", [], new ApiSuccess(201, "The announcement was published.", "Announcement"), [], Idempotent: true, CreateAsync),
        new("content.announcements.list", "GET", "/api/v1/announcements", "List announcements, newest first.", Tag, ApiAccess.Anonymous,
            null,
            [
                new("cursor", "query", "string", false, "The nextCursor of the previous page; omit for the first page."),
                new("limit", "query", "integer", false, $"Page size, 1 to {Limits.MaxPageSize}; default {Limits.DefaultPageSize}."),
            ],
            new ApiSuccess(200, "A page of announcements.", "AnnouncementPage"), [], Idempotent: false, ListAsync),
        new("content.announcements.get", "GET", "/api/v1/announcements/{id}", "Read one announcement.", Tag, ApiAccess.Anonymous,
            null, [new("id", "path", "integer", true, "The id.")], new ApiSuccess(200, "The announcement.", "Announcement"), [], Idempotent: false, GetAsync),
    ];

    private static async Task<ApiResult> CreateAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var caller = context.RequireCaller();
        var request = context.ReadBody<CreateAnnouncementRequest>();
        var rules = new TextRules();
        var title = rules.Text("title", request.Title, 1, Limits.TitleMaxLength);
        var body = rules.Text("body", request.Body, 1, Limits.AnnouncementBodyMaxLength, multiline: true);
        rules.ThrowIfInvalid();

        return await context.WriteAsync(async (connection, transaction) =>
        {
            var now = context.Services.Time.GetUtcNow().UtcDateTime;
            var id = await Sql.InsertAsync(
                connection,
                transaction,
                "INSERT INTO announcements (title, body, author_id, version, created_at) VALUES (@title, @body, @AccountId, 1, @now)",
                new { title, body, caller.AccountId, now },
                cancellationToken);
            var announcement = new AnnouncementDto(id, title, body, caller.AccountId, 1, now);
            context.AddEvent(EventTypes.AnnouncementCreated, "announcement", id, 1, personal: false, announcement);
            return ApiResult.Created(announcement, $"/api/v1/announcements/{id}");
        }, cancellationToken);
    }

    private static async Task<ApiResult> ListAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var before = PageCursor.Decode(context.OptionalParameter("cursor"));
        var limit = context.PageSize();
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<AnnouncementDto>(new CommandDefinition(
            Select + " WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = before ?? long.MaxValue, take = limit + 1 },
            cancellationToken: cancellationToken))).ToList();
        return ApiResult.Ok(Page<AnnouncementDto>.From(rows, limit, a => a.Id));
    }

    private static async Task<ApiResult> GetAsync(ApiContext context, CancellationToken cancellationToken)
    {
        var id = context.IdParameter("id");
        await using var connection = await context.Services.Db.OpenAsync(cancellationToken);
        var announcement = await connection.QuerySingleOrDefaultAsync<AnnouncementDto>(new CommandDefinition(
            Select + " WHERE id = @id", new { id }, cancellationToken: cancellationToken))
            ?? throw new ApiProblemException(ApiProblem.NotFound($"Announcement {id} does not exist."));
        return ApiResult.Ok(announcement);
    }

    private const string Select =
        "SELECT id AS Id, title AS Title, body AS Body, author_id AS AuthorId, version AS Version, created_at AS CreatedAt FROM announcements";

    internal sealed record CreateAnnouncementRequest(string? Title, string? Body);

    internal sealed record AnnouncementDto(long Id, string Title, string Body, long AuthorId, int Version, DateTime CreatedAt)
    {
        public DateTime CreatedAt { get; init; } = DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc);
    }
}
