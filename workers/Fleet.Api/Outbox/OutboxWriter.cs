using System.Data.Common;
using System.Text.Json;
using Dapper;
using Fleet.Contracts;

namespace Fleet.Api.Outbox;

/// <summary>Adds a domain event row inside the caller's transaction: the event exists exactly when the change does.</summary>
internal static class OutboxWriter
{
    public static async Task AddAsync(
        DbConnection connection,
        DbTransaction transaction,
        string subjectPrefix,
        DomainEvent domainEvent,
        CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(domainEvent, Pipeline.ApiJson.Options);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox (event_id, subject, payload, created_at)
            VALUES (@EventId, @Subject, @Payload, UTC_TIMESTAMP(6))
            """,
            new
            {
                domainEvent.EventId,
                Subject = EventSubjects.For(subjectPrefix, domainEvent.Region, domainEvent.Type),
                Payload = payload,
            },
            transaction,
            cancellationToken: cancellationToken));
    }
}
