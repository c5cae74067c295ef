using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Fleet.Api.Outbox;
using Fleet.Contracts;

namespace Fleet.Api.Pipeline;

/// <summary>One request inside the pipeline: the caller, parameters, body, and the transactional write helper.</summary>
internal sealed class ApiContext
{
    private readonly ApiRequest _request;
    private readonly List<DomainEvent> _events = [];

    public ApiContext(ApiOperation operation, ApiRequest request, ApiServices services, Caller? caller)
    {
        Operation = operation;
        _request = request;
        Services = services;
        Caller = caller;
    }

    public ApiOperation Operation { get; }

    public ApiServices Services { get; }

    public Caller? Caller { get; }

    public string RequestId => _request.RequestId;

    public IdempotencyClaim? Idempotency { get; set; }

    public Caller RequireCaller() => Caller ?? throw new ApiProblemException(ApiProblem.Unauthorized("A bearer token is required."));

    /// <summary>A positive 64-bit id from a path parameter; anything else is a 400 naming the parameter.</summary>
    public long IdParameter(string name)
    {
        if (_request.Parameters.TryGetValue(name, out var text)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && id > 0)
        {
            return id;
        }

        throw new ApiProblemException(ApiProblem.Validation(name, "Must be a positive integer id."));
    }

    public string? OptionalParameter(string name) => _request.Parameters.GetValueOrDefault(name);

    /// <summary>The page size from <c>limit</c>: default when absent, 400 outside 1..max.</summary>
    public int PageSize()
    {
        if (!_request.Parameters.TryGetValue("limit", out var text))
        {
            return Limits.DefaultPageSize;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= Limits.MaxPageSize
            ? limit
            : throw new ApiProblemException(ApiProblem.Validation("limit", $"Must be an integer from 1 to {Limits.MaxPageSize}."));
    }

    /// <summary>Deserialises the JSON body; wrong types and missing bodies are 400 naming the JSON path.</summary>
    public T ReadBody<T>()
        where T : class
    {
        var body = _request.Body ?? ReadOnlyMemory<byte>.Empty;
        if (body.IsEmpty)
        {
            throw new ApiProblemException(ApiProblem.Validation("body", "A JSON object is required."));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, ApiJson.Options)
                ?? throw new ApiProblemException(ApiProblem.Validation("body", "A JSON object is required."));
        }
        catch (JsonException ex) when (ex.Path is { Length: > 1 } path && ex.BytePositionInLine is not null)
        {
            // A well-formed document with a value of the wrong type: name the field like validation does.
            throw new ApiProblemException(ApiProblem.Validation(path.TrimStart('$', '.'), "Has the wrong JSON type."));
        }
        catch (JsonException ex)
        {
            throw new ApiProblemException(ApiProblem.MalformedJson(ex.Message));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            // Invalid UTF-8 or lone surrogates inside strings end up here on some paths of the reader.
            throw new ApiProblemException(ApiProblem.MalformedJson("The body is not valid UTF-8 JSON."));
        }
    }

    /// <summary>Queues a domain event; it is written to the outbox in the transaction of <see cref="WriteAsync"/>.</summary>
    public void AddEvent(string type, string entity, long id, int version, bool personal, object? data)
    {
        _events.Add(new DomainEvent(
            Guid.NewGuid().ToString(),
            type,
            Services.Region,
            entity,
            id,
            version,
            Services.Time.GetUtcNow(),
            RequestId,
            personal,
            data is null ? null : JsonSerializer.SerializeToElement(data, ApiJson.Options)));
    }

    /// <summary>
    /// Runs a write in one transaction together with its outbox rows and, for an idempotent request, the stored
    /// answer. Either all of it commits or none. A concurrent request with the same key loses on the primary
    /// key and gets the winner's answer.
    /// </summary>
    public async Task<ApiResult> WriteAsync(Func<DbConnection, DbTransaction, Task<ApiResult>> work, CancellationToken cancellationToken)
    {
        await using var connection = await Services.Db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        _events.Clear();
        var result = await work(connection, transaction);
        if (result.Status >= 300)
        {
            await transaction.RollbackAsync(cancellationToken);
            return result;
        }

        foreach (var domainEvent in _events)
        {
            await OutboxWriter.AddAsync(connection, transaction, Services.Options.EventSubjectPrefix, domainEvent, cancellationToken);
        }

        if (Idempotency is { } claim)
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO idempotency_keys (scope, idempotency_key, operation, request_hash, status_code, response_body, location, created_at)
                    VALUES (@Scope, @Key, @Operation, @RequestHash, @Status, @Body, @Location, UTC_TIMESTAMP(6))
                    """,
                    new
                    {
                        claim.Scope,
                        claim.Key,
                        claim.Operation,
                        claim.RequestHash,
                        result.Status,
                        Body = result.Body is null ? null : JsonSerializer.Serialize(result.Body, ApiJson.Options),
                        result.Location,
                    },
                    transaction,
                    cancellationToken: cancellationToken));
            }
            catch (DbException ex) when (DbErrors.IsDuplicateKey(ex))
            {
                await transaction.RollbackAsync(cancellationToken);
                throw new IdempotencyRaceException();
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (_events.Count > 0)
        {
            Services.Outbox.Notify();
        }

        return result;
    }

    /// <summary>The hash that decides whether a replay asks the same thing: operation, parameters, body bytes.</summary>
    public byte[] RequestHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Operation.Id + "\n"));
        foreach (var (name, value) in _request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "=" + value + "\n"));
        }

        hash.AppendData((_request.Body ?? ReadOnlyMemory<byte>.Empty).Span);
        return hash.GetHashAndReset();
    }
}

/// <summary>Another request with the same idempotency key committed first.</summary>
internal sealed class IdempotencyRaceException() : Exception("A concurrent request with the same Idempotency-Key committed first.");
