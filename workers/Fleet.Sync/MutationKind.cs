namespace Fleet.Sync;

/// <summary>A mutation clients may push, and the API operation that carries it out.</summary>
/// <param name="Name">The name clients send.</param>
/// <param name="Operation">The API's operation id, answered on <c>api.v1.&lt;operation&gt;</c>.</param>
/// <param name="IdArgument">The argument that becomes the route's <c>{id}</c>, if any.</param>
/// <param name="SendsBody">Whether the arguments go to the API as the JSON body.</param>
internal sealed record MutationKind(string Name, string Operation, string? IdArgument, bool SendsBody);
