-- The change log keeps one row per entity: its newest version (a put or a tombstone). A newer version
-- replaces the row under a new change_id, so a client behind the head gets each entity once, at its latest
-- state (the CouchDB changes feed does the same). Entity ids are per region, so the origin region is part of
-- the entity's key. scope is 0 for public data and the owning account id for personal data.
CREATE TABLE IF NOT EXISTS changes (
    change_id BIGINT NOT NULL AUTO_INCREMENT,
    entity VARCHAR(32) NOT NULL,
    origin_region VARCHAR(32) NOT NULL,
    entity_id BIGINT NOT NULL,
    version INT NOT NULL,
    op TINYINT NOT NULL,
    scope BIGINT NOT NULL,
    data LONGTEXT NULL,
    origin_change_id BIGINT NULL,
    changed_at DATETIME(6) NOT NULL,
    PRIMARY KEY (change_id),
    UNIQUE KEY ux_changes_entity (entity, origin_region, entity_id),
    KEY ix_changes_scope (scope, change_id),
    KEY ix_changes_origin (origin_region, change_id)
) ENGINE = InnoDB;

-- Event ids already applied (idempotent apply under redelivery and republishing).
CREATE TABLE IF NOT EXISTS applied_events (
    event_id VARCHAR(64) NOT NULL,
    applied_at DATETIME(6) NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE = InnoDB;

-- The newest version seen per entity, kept even after a tombstone is purged, so a late older event can never
-- bring a purged entity back.
CREATE TABLE IF NOT EXISTS entity_versions (
    entity VARCHAR(32) NOT NULL,
    origin_region VARCHAR(32) NOT NULL,
    entity_id BIGINT NOT NULL,
    version INT NOT NULL,
    PRIMARY KEY (entity, origin_region, entity_id)
) ENGINE = InnoDB;

-- Each pulling client's last served cursor; purging never passes the slowest client active in the window.
CREATE TABLE IF NOT EXISTS client_cursors (
    account_id BIGINT NOT NULL,
    client_id VARCHAR(64) NOT NULL,
    last_change_id BIGINT NOT NULL,
    pulled_at DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, client_id),
    KEY ix_client_cursors_pulled (pulled_at)
) ENGINE = InnoDB;

-- Push: the last seq per client and each mutation's recorded outcome.
CREATE TABLE IF NOT EXISTS client_seqs (
    account_id BIGINT NOT NULL,
    client_id VARCHAR(64) NOT NULL,
    last_seq BIGINT NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, client_id)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS mutation_results (
    account_id BIGINT NOT NULL,
    client_id VARCHAR(64) NOT NULL,
    seq BIGINT NOT NULL,
    name VARCHAR(32) NOT NULL,
    outcome VARCHAR(16) NOT NULL,
    status INT NOT NULL,
    response LONGTEXT NULL,
    recorded_at DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, client_id, seq)
) ENGINE = InnoDB;

-- Named counters: the purge watermark, and replication checkpoints (ship:<peer> on the sender, recv:<origin>
-- on the receiver).
CREATE TABLE IF NOT EXISTS sync_state (
    name VARCHAR(64) NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB;
