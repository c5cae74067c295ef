-- Chat history is the source of truth: each room has a monotonic offset (next_offset is the offset the next
-- message gets) and an epoch that changes only when the room's history is reset, which tells resuming clients
-- that their offsets mean nothing any more. Every statement is idempotent (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS rooms (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    epoch VARCHAR(32) NOT NULL,
    next_offset BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- (room, sender, client_msg_id) is unique: a resend of the same client message id finds the first row.
CREATE TABLE IF NOT EXISTS messages (
    room_id VARCHAR(64) NOT NULL,
    `offset` BIGINT NOT NULL,
    sender VARCHAR(64) NOT NULL,
    client_msg_id VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (room_id, `offset`),
    UNIQUE KEY ux_messages_client (room_id, sender, client_msg_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
