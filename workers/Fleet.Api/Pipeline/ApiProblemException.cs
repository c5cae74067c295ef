namespace Fleet.Api.Pipeline;

/// <summary>Ends a request with a problem answer; thrown by handlers and the pipeline, never escapes it.</summary>
internal sealed class ApiProblemException(ApiProblem problem) : Exception(problem.Detail ?? problem.Title)
{
    public ApiProblem Problem { get; } = problem;
}
