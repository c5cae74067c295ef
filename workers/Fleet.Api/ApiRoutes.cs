using System.Text.Json;
using Fleet.Api.Accounts;
using Fleet.Api.Content;
using Fleet.Api.Forum;
using Fleet.Api.OpenApi;
using Fleet.Api.Pipeline;

namespace Fleet.Api;

/// <summary>The route table: every operation the worker serves, over HTTP and NATS, and documents.</summary>
internal sealed class ApiRoutes
{
    private readonly Lazy<JsonElement> _document;

    public ApiRoutes()
    {
        Operations =
        [
            .. SystemEndpoints.Operations(() => _document!.Value),
            .. AccountEndpoints.Operations(),
            .. ForumEndpoints.Operations(),
            .. AnnouncementEndpoints.Operations(),
        ];

        // Built once into an immutable JsonElement: safe to serialise from many requests at once.
        _document = new Lazy<JsonElement>(() => JsonSerializer.SerializeToElement(OpenApiDocumentBuilder.Build(Operations)));
    }

    public IReadOnlyList<ApiOperation> Operations { get; }
}
