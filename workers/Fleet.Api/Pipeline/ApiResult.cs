namespace Fleet.Api.Pipeline;

/// <summary>What a handler answers: a status, an optional JSON body and an optional Location.</summary>
internal sealed record ApiResult(int Status, object? Body, string? Location = null)
{
    public static ApiResult Ok(object body) => new(200, body);

    public static ApiResult Created(object body, string location) => new(201, body, location);

    public static ApiResult NoContent() => new(204, null);
}
