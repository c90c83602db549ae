-- Two-way calendar sync for mentors. A source is a CalDAV account (Stint writes each booking
-- into it and reads busy time back) or a read-only .ics address (busy time only). The
-- password is stored sealed (AEAD, a random nonce per write, the key from the server's
-- configuration), never in clear; the key itself is never stored here.
CREATE TABLE calendar_sources (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    mentor_id           BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind                TEXT   NOT NULL CHECK (kind IN ('caldav', 'ics')),
    url                 TEXT   NOT NULL,
    username            TEXT   NOT NULL DEFAULT '',
    password_sealed     TEXT,  -- base64(nonce || ciphertext); NULL for .ics sources
    calendar_url        TEXT,  -- the calendar discovery found (CalDAV)
    created_at          BIGINT NOT NULL,
    -- The sync-health panel: when a sync last ran, last succeeded, and why it last failed
    -- (cleared by a success); the events written so far and the busy intervals last read.
    last_attempt_at     BIGINT,
    last_success_at     BIGINT,
    last_error          TEXT,
    events_written      BIGINT NOT NULL DEFAULT 0,
    busy_intervals_read BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX calendar_sources_mentor ON calendar_sources (mentor_id, id);

-- The busy intervals a source gave at its last successful read, replaced all at once in one
-- transaction: a failed sync keeps the previous ones. mentor_id is copied from the source so
-- slot searches and the booking claim read one index.
CREATE TABLE calendar_busy (
    source_id BIGINT NOT NULL REFERENCES calendar_sources(id) ON DELETE CASCADE,
    mentor_id BIGINT NOT NULL,
    start_at  BIGINT NOT NULL,
    end_at    BIGINT NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX calendar_busy_mentor ON calendar_busy (mentor_id, start_at);
CREATE INDEX calendar_busy_source ON calendar_busy (source_id);

-- The event each booking is in each CalDAV source: its UID, the ETag the server gave, and the
-- booking sequence it shows. A booking whose sequence is the one written needs no write; a
-- newer one is written with If-Match; a cancelled one is deleted and its row removed.
CREATE TABLE calendar_events (
    source_id  BIGINT NOT NULL REFERENCES calendar_sources(id) ON DELETE CASCADE,
    booking_id BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    uid        TEXT   NOT NULL,
    etag       TEXT   NOT NULL,
    sequence   BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (source_id, booking_id)
);
