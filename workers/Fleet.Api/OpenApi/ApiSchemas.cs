using System.Text.Json.Nodes;

namespace Fleet.Api.OpenApi;

/// <summary>The JSON Schemas of request and response bodies, with the same bounds the validation enforces.</summary>
internal static class ApiSchemas
{
    public static JsonObject All() => new()
    {
        ["RegisterRequest"] = Object(
            ["email", "password", "displayName"],
            ("email", Text(3, Limits.EmailMaxLength, "email")),
            ("password", Text(Limits.PasswordMinLength, Limits.PasswordMaxLength)),
            ("displayName", Text(1, Limits.DisplayNameMaxLength))),
        ["LoginRequest"] = Object(
            ["email", "password"],
            ("email", Text(3, Limits.EmailMaxLength, "email")),
            ("password", Text(Limits.PasswordMinLength, Limits.PasswordMaxLength))),
        ["UpdateProfileRequest"] = Object(["displayName"], ("displayName", Text(1, Limits.DisplayNameMaxLength))),
        ["Token"] = Object(
            ["accessToken", "tokenType", "expiresAt"],
            ("accessToken", new JsonObject { ["type"] = "string" }),
            ("tokenType", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Bearer") }),
            ("expiresAt", DateTime())),
        ["Account"] = Object(
            ["id", "email", "displayName", "role", "version", "createdAt", "updatedAt"],
            ("id", Id()),
            ("email", new JsonObject { ["type"] = "string", ["format"] = "email" }),
            ("displayName", new JsonObject { ["type"] = "string" }),
            ("role", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("member", "editor") }),
            ("version", Version()),
            ("createdAt", DateTime()),
            ("updatedAt", DateTime())),
        ["CreateTopicRequest"] = Object(["title"], ("title", Text(1, Limits.TitleMaxLength))),
        ["Topic"] = Object(
            ["id", "title", "authorId", "version", "createdAt"],
            ("id", Id()),
            ("title", new JsonObject { ["type"] = "string" }),
            ("authorId", Id()),
            ("version", Version()),
            ("createdAt", DateTime())),
        ["TopicPage"] = PageOf("Topic"),
        ["CreatePostRequest"] = Object(["body"], ("body", Text(1, Limits.PostBodyMaxLength))),
        ["UpdatePostRequest"] = Object(
            ["body"],
            ("body", Text(1, Limits.PostBodyMaxLength)),
            ("version", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "The version you edited; 409 when the post has moved on." })),
        ["Post"] = Object(
            ["id", "topicId", "authorId", "body", "version", "createdAt", "updatedAt"],
            ("id", Id()),
            ("topicId", Id()),
            ("authorId", Id()),
            ("body", new JsonObject { ["type"] = "string" }),
            ("version", Version()),
            ("createdAt", DateTime()),
            ("updatedAt", DateTime())),
        ["PostPage"] = PageOf("Post"),
        ["CreateAnnouncementRequest"] = Object(
            ["title", "body"],
            ("title", Text(1, Limits.TitleMaxLength)),
            ("body", Text(1, Limits.AnnouncementBodyMaxLength))),
        ["Announcement"] = Object(
            ["id", "title", "body", "authorId", "version", "createdAt"],
            ("id", Id()),
            ("title", new JsonObject { ["type"] = "string" }),
            ("body", new JsonObject { ["type"] = "string" }),
            ("authorId", Id()),
            ("version", Version()),
            ("createdAt", DateTime())),
        ["AnnouncementPage"] = PageOf("Announcement"),
        ["Ping"] = Object(["status"], ("status", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("ok") })),
        ["OpenApiDocument"] = new JsonObject { ["type"] = "object", ["description"] = "This document." },
        ["Problem"] = Object(
            ["type", "title", "status"],
            ("type", new JsonObject { ["type"] = "string", ["format"] = "uri", ["description"] = "Stable: urn:fleet:problem:<name>." }),
            ("title", new JsonObject { ["type"] = "string" }),
            ("status", new JsonObject { ["type"] = "integer" }),
            ("detail", new JsonObject { ["type"] = "string" }),
            ("requestId", new JsonObject { ["type"] = "string" }),
            ("errors", new JsonObject
            {
                ["type"] = "object",
                ["description"] = "For validation problems: each invalid field with its messages.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            })),
    };

    private static JsonObject Object(string[] required, params (string Name, JsonObject Schema)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]),
            ["properties"] = props,
        };
    }

    private static JsonObject PageOf(string item) => Object(
        ["items"],
        ("items", new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = $"#/components/schemas/{item}" } }),
        ("nextCursor", new JsonObject { ["type"] = "string", ["description"] = "Absent on the last page." }));

    private static JsonObject Text(int min, int max, string? format = null)
    {
        var schema = new JsonObject { ["type"] = "string", ["minLength"] = min, ["maxLength"] = max };
        if (format is not null)
        {
            schema["format"] = format;
        }

        return schema;
    }

    private static JsonObject Id() => new() { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 1 };

    private static JsonObject Version() => new() { ["type"] = "integer", ["minimum"] = 1 };

    private static JsonObject DateTime() => new() { ["type"] = "string", ["format"] = "date-time" };
}
