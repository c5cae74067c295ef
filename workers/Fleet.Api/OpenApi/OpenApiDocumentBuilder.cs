using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Api.Pipeline;
using Fleet.Contracts;

namespace Fleet.Api.OpenApi;

/// <summary>
/// Builds the OpenAPI 3.1 document from the route table, so every mapped operation is documented with exactly
/// the statuses the pipeline can answer, and nothing undocumented is served.
/// </summary>
internal static class OpenApiDocumentBuilder
{
    private static readonly Dictionary<int, string> ErrorDescriptions = new()
    {
        [400] = "Invalid input; errors lists each invalid field.",
        [401] = "Missing, invalid or expired bearer token.",
        [403] = "Authenticated but not allowed.",
        [404] = "No such resource.",
        [409] = "Conflicts with the current state.",
        [413] = "The request body is over the size limit.",
        [415] = "The request body is not application/json.",
        [422] = "The Idempotency-Key was already used with a different request.",
        [503] = "MySQL is unavailable; retry later.",
    };

    public static JsonObject Build(IEnumerable<ApiOperation> operations)
    {
        var paths = new JsonObject();
        foreach (var operation in operations)
        {
            if (paths[operation.Route] is not JsonObject path)
            {
                path = new JsonObject();
                paths[operation.Route] = path;
            }

            path[operation.Method.ToLowerInvariant()] = Describe(operation);
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Fleet API",
                ["version"] = "1.0.0",
                ["description"] =
                    "Accounts (personal data), forum and announcements (public). Every operation is also served over NATS " +
                    $"request/reply on {ApiSubjects.Prefix}<operationId> in queue group '{ApiSubjects.QueueGroup}'. " +
                    "Errors are application/problem+json with a stable type.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = ApiSchemas.All(),
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
        };
    }

    private static JsonObject Describe(ApiOperation operation)
    {
        var description = new JsonObject
        {
            ["operationId"] = operation.Id,
            ["summary"] = operation.Summary,
            ["tags"] = new JsonArray(operation.Tag),
        };
        var parameters = new JsonArray();
        foreach (var parameter in operation.Parameters)
        {
            var schema = new JsonObject { ["type"] = parameter.Type };
            if (parameter.Type == "integer")
            {
                schema["minimum"] = 1;
                if (parameter.Name == "limit")
                {
                    schema["maximum"] = Limits.MaxPageSize;
                }
            }

            parameters.Add(new JsonObject
            {
                ["name"] = parameter.Name,
                ["in"] = parameter.In,
                ["required"] = parameter.Required,
                ["description"] = parameter.Description,
                ["schema"] = schema,
            });
        }

        if (operation.Idempotent)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = ApiSubjects.IdempotencyKeyHeader,
                ["in"] = "header",
                ["required"] = false,
                ["description"] = "Replaying a request with the same key and body returns the first answer and writes nothing.",
                ["schema"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = Limits.IdempotencyKeyMaxLength },
            });
        }

        if (parameters.Count > 0)
        {
            description["parameters"] = parameters;
        }

        if (operation.RequestSchema is not null)
        {
            description["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(operation.RequestSchema) } },
            };
        }

        if (operation.Access != ApiAccess.Anonymous)
        {
            description["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });
        }

        var responses = new JsonObject();
        var success = new JsonObject { ["description"] = operation.Success.Description };
        if (operation.Success.Schema is not null)
        {
            success["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(operation.Success.Schema) } };
        }

        responses[operation.Success.Status.ToString(CultureInfo.InvariantCulture)] = success;
        foreach (var status in operation.ErrorStatuses())
        {
            responses[status.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = ErrorDescriptions[status],
                ["content"] = new JsonObject { [ApiProblem.ContentType] = new JsonObject { ["schema"] = Ref("Problem") } },
            };
        }

        description["responses"] = responses;
        return description;
    }

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };
}
