using System.Data.Common;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Fleet.Api.Pipeline;

/// <summary>
/// The single code path behind both transports: authentication, authorisation, media type and size checks,
/// idempotency, the handler, and the mapping of every failure onto a problem answer. Bad input is rejected here
/// before any handler writes, and no exception escapes: an unexpected one becomes a logged 500.
/// </summary>
internal sealed class ApiDispatcher(ApiServices services, ILogger<ApiDispatcher> logger)
{
    private const string AnonymousScope = "anonymous";

    public async Task<ApiResponse> DispatchAsync(ApiOperation operation, ApiRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var caller = Authenticate(operation, request);
            if (operation.RequestSchema is not null)
            {
                CheckBody(request);
            }

            var context = new ApiContext(operation, request, services, caller);
            if (operation.Idempotent && request.IdempotencyKey is { } key)
            {
                var claim = new IdempotencyClaim(
                    caller?.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? AnonymousScope,
                    ValidateIdempotencyKey(key),
                    operation.Id,
                    context.RequestHash());
                if (await FindReplayAsync(claim, cancellationToken) is { } replay)
                {
                    return replay;
                }

                context.Idempotency = claim;
                try
                {
                    return Serialize(await operation.Handler(context, cancellationToken));
                }
                catch (IdempotencyRaceException)
                {
                    return await FindReplayAsync(claim, cancellationToken)
                        ?? throw new InvalidOperationException("The idempotency row that won the race is gone.");
                }
            }

            return Serialize(await operation.Handler(context, cancellationToken));
        }
        catch (ApiProblemException ex)
        {
            return Problem(ex.Problem);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DbException ex)
        {
            // MySQL down or failing is not the caller's fault and not a bug: 503 lets HAProxy and clients retry.
            logger.LogWarning("Operation {Operation} failed on the database: {Error}", operation.Id, ex.Message);
            return Problem(ApiProblem.Unavailable("The database is unavailable."));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            logger.LogWarning("Operation {Operation} could not reach the database: {Error}", operation.Id, ex.Message);
            return Problem(ApiProblem.Unavailable("The database is unavailable."));
        }
#pragma warning disable CA1031 // The pipeline's last line: any bug becomes a logged 500 rather than a dropped connection or NATS request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "Operation {Operation} failed", operation.Id);
            return Problem(ApiProblem.Internal());
        }
    }

    public static ApiResponse Problem(ApiProblem problem)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = problem.Type,
            ["title"] = problem.Title,
            ["status"] = problem.Status,
        };
        if (problem.Detail is not null)
        {
            body["detail"] = problem.Detail;
        }

        if (problem.Errors is not null)
        {
            body["errors"] = problem.Errors;
        }

        if (Fleet.Hosting.RequestId.Current is { } requestId)
        {
            body["requestId"] = requestId;
        }

        return new ApiResponse(problem.Status, ApiProblem.ContentType, JsonSerializer.SerializeToUtf8Bytes(body, ApiJson.Options), null);
    }

    private static ApiResponse Serialize(ApiResult result) =>
        result.Body is null
            ? new ApiResponse(result.Status, null, ReadOnlyMemory<byte>.Empty, result.Location)
            : new ApiResponse(result.Status, MediaTypeNames.Application.Json, JsonSerializer.SerializeToUtf8Bytes(result.Body, ApiJson.Options), result.Location);

    private Caller? Authenticate(ApiOperation operation, ApiRequest request)
    {
        Caller? caller = null;

        // An empty header is no credentials at all: anonymous operations serve it, the others answer 401 below.
        if (!string.IsNullOrEmpty(request.Authorization))
        {
            var claims = services.Verifier.VerifyAuthorization(request.Authorization, out var failure)
                ?? throw new ApiProblemException(ApiProblem.Unauthorized(failure));

            // The API issues every token with a numeric subject, an email and a role; one without them is not ours.
            caller = claims is { AccountId: { } accountId, Email: { } email, Role: { } role }
                ? new Caller(accountId, email, role)
                : throw new ApiProblemException(ApiProblem.Unauthorized("The token payload is invalid."));
        }

        if (operation.Access != ApiAccess.Anonymous && caller is null)
        {
            throw new ApiProblemException(ApiProblem.Unauthorized("A bearer token is required."));
        }

        if (operation.Access == ApiAccess.Editor && caller!.Role != Caller.EditorRole)
        {
            throw new ApiProblemException(ApiProblem.Forbidden("The editor role is required."));
        }

        return caller;
    }

    private void CheckBody(ApiRequest request)
    {
        if (request.Body is null)
        {
            throw new ApiProblemException(ApiProblem.PayloadTooLarge(services.Options.MaxBodyBytes));
        }

        if (request.Body.Value.Length > services.Options.MaxBodyBytes)
        {
            throw new ApiProblemException(ApiProblem.PayloadTooLarge(services.Options.MaxBodyBytes));
        }

        if (request.Body.Value.IsEmpty && request.ContentType is null)
        {
            // No body at all: ReadBody reports the missing object as a validation error.
            return;
        }

        if (!IsJson(request.ContentType))
        {
            throw new ApiProblemException(ApiProblem.UnsupportedMediaType(request.ContentType));
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        if (!mediaType.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A charset other than UTF-8 would be decoded wrongly by the JSON reader: refuse it rather than guess.
        var parameters = contentType.Contains(';', StringComparison.Ordinal) ? contentType.Split(';', 2)[1] : string.Empty;
        return !parameters.Contains("charset", StringComparison.OrdinalIgnoreCase)
            || parameters.Replace(" ", string.Empty, StringComparison.Ordinal).Contains("charset=utf-8", StringComparison.OrdinalIgnoreCase);
    }

    private static string ValidateIdempotencyKey(string key)
    {
        if (key.Length is 0 or > Limits.IdempotencyKeyMaxLength || key.Any(c => c is < '!' or > '~'))
        {
            throw new ApiProblemException(ApiProblem.Validation(
                "Idempotency-Key", $"Must be 1 to {Limits.IdempotencyKeyMaxLength} visible ASCII characters (a UUID is ideal)."));
        }

        return key;
    }

    private async Task<ApiResponse?> FindReplayAsync(IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        await using var connection = await services.Db.OpenAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<IdempotencyRecord>(new CommandDefinition(
            """
            SELECT operation AS Operation, request_hash AS RequestHash, status_code AS StatusCode,
                   response_body AS ResponseBody, location AS Location
            FROM idempotency_keys WHERE scope = @Scope AND idempotency_key = @Key
            """,
            new { claim.Scope, claim.Key },
            cancellationToken: cancellationToken));
        if (stored is null)
        {
            return null;
        }

        if (stored.Operation != claim.Operation || !CryptographicOperations.FixedTimeEquals(stored.RequestHash, claim.RequestHash))
        {
            throw new ApiProblemException(ApiProblem.IdempotencyKeyReused());
        }

        return new ApiResponse(
            stored.StatusCode,
            stored.ResponseBody is null ? null : MediaTypeNames.Application.Json,
            stored.ResponseBody is null ? ReadOnlyMemory<byte>.Empty : System.Text.Encoding.UTF8.GetBytes(stored.ResponseBody),
            stored.Location);
    }
}
