using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Fleet.Data;

namespace Fleet.Chat;

/// <summary>Room history in MySQL, the source of truth for offsets, epochs and idempotent sends.</summary>
internal sealed class ChatStore(DbConnectionFactory db)
{
    /// <summary>
    /// Stores a message in one transaction: the room row is locked (FOR UPDATE), so offsets are allocated and
    /// committed strictly in order and a rolled-back send leaves no hole; a resend with the same client message id
    /// finds the first row under the same lock and returns it instead of a second copy.
    /// </summary>
    public async Task<AppendResult> AppendAsync(string roomId, string sender, string clientMsgId, string body, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await EnsureRoomAsync(connection, roomId, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var head = await connection.QuerySingleAsync<RoomHead>(new CommandDefinition(
            "SELECT epoch AS Epoch, next_offset AS NextOffset FROM rooms WHERE id = @roomId FOR UPDATE",
            new { roomId },
            transaction,
            cancellationToken: cancellationToken));
        var existing = await connection.QuerySingleOrDefaultAsync<ChatMessage>(new CommandDefinition(
            """
            SELECT room_id, `offset`, sender, client_msg_id, body, created_at FROM messages
            WHERE room_id = @roomId AND sender = @sender AND client_msg_id = @clientMsgId
            """,
            new { roomId, sender, clientMsgId },
            transaction,
            cancellationToken: cancellationToken));
        if (existing is not null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new AppendResult(existing, head.Epoch, Duplicate: true);
        }

        // Microseconds, as DATETIME(6) keeps them, so the live frame and a later history page agree.
        var now = DateTime.UtcNow;
        var createdAt = new DateTime(now.Ticks - (now.Ticks % 10), DateTimeKind.Utc);

        // The counter moves first, the row follows: a failure between them rolls both back.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE rooms SET next_offset = next_offset + 1 WHERE id = @roomId",
            new { roomId },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO messages (room_id, `offset`, sender, client_msg_id, body, created_at)
            VALUES (@roomId, @offset, @sender, @clientMsgId, @body, @createdAt)
            """,
            new { roomId, offset = head.NextOffset, sender, clientMsgId, body, createdAt },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        var message = new ChatMessage
        {
            RoomId = roomId,
            Offset = head.NextOffset,
            Sender = sender,
            ClientMsgId = clientMsgId,
            Body = body,
            CreatedAt = createdAt,
        };
        return new AppendResult(message, head.Epoch, Duplicate: false);
    }

    /// <summary>The room's epoch and next offset, creating the room when it does not exist yet.</summary>
    public async Task<RoomHead> GetHeadAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await EnsureRoomAsync(connection, roomId, cancellationToken);
        return await connection.QuerySingleAsync<RoomHead>(new CommandDefinition(
            "SELECT epoch AS Epoch, next_offset AS NextOffset FROM rooms WHERE id = @roomId",
            new { roomId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Messages with offsets in [<paramref name="fromOffset"/>, <paramref name="toOffset"/>), oldest first.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ReadRangeAsync(string roomId, long fromOffset, long toOffset, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ChatMessage>(new CommandDefinition(
            """
            SELECT room_id, `offset`, sender, client_msg_id, body, created_at FROM messages
            WHERE room_id = @roomId AND `offset` >= @fromOffset AND `offset` < @toOffset
            ORDER BY `offset`
            """,
            new { roomId, fromOffset, toOffset },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The newest <paramref name="limit"/> messages before <paramref name="beforeOffset"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ReadPageAsync(string roomId, long beforeOffset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ChatMessage>(new CommandDefinition(
            """
            SELECT room_id, `offset`, sender, client_msg_id, body, created_at FROM messages
            WHERE room_id = @roomId AND `offset` < @beforeOffset
            ORDER BY `offset` DESC LIMIT @limit
            """,
            new { roomId, beforeOffset, limit },
            cancellationToken: cancellationToken))).AsList();
        rows.Reverse();
        return rows;
    }

    private static async Task EnsureRoomAsync(DbConnection connection, string roomId, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT IGNORE INTO rooms (id, epoch, next_offset, created_at) VALUES (@roomId, @epoch, 1, UTC_TIMESTAMP(6))
            """,
            new { roomId, epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) },
            cancellationToken: cancellationToken));
}
