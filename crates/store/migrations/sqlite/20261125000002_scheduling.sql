-- Mentor availability rules and bookings. A live booking (confirmed) of a mentor may never
-- overlap another: the trigger below refuses it on SQLite (PostgreSQL: an exclusion constraint).

CREATE TABLE mentor_availability (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    rules      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE bookings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    mentor_id        BIGINT NOT NULL REFERENCES users(id),
    mentee_id        BIGINT NOT NULL REFERENCES users(id),
    sku_id           BIGINT NOT NULL,
    sku_version      BIGINT NOT NULL,
    start_at         BIGINT NOT NULL,
    end_at           BIGINT NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('confirmed', 'completed', 'cancelled', 'no_show')),
    sequence         BIGINT NOT NULL DEFAULT 0,
    meeting_url      TEXT   NOT NULL,
    cancelled_by     BIGINT REFERENCES users(id),
    cancel_reason    TEXT,
    late_cancel      BIGINT NOT NULL DEFAULT 0,
    no_show_side     TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (end_at > start_at),
    FOREIGN KEY (sku_id, sku_version) REFERENCES sku_versions(sku_id, version)
);
CREATE INDEX bookings_mentor_time ON bookings(mentor_id, start_at);
CREATE INDEX bookings_mentee_time ON bookings(mentee_id, start_at);

CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b WHERE b.mentor_id = NEW.mentor_id AND b.status = 'confirmed'
      AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_overlap');
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_at, end_at, status ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b WHERE b.mentor_id = NEW.mentor_id AND b.status = 'confirmed'
      AND b.id <> NEW.id AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'booking_overlap');
END;

CREATE TABLE booking_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    actor_id   BIGINT REFERENCES users(id),
    status     TEXT   NOT NULL,
    note       TEXT   NOT NULL
);
CREATE INDEX booking_events_booking ON booking_events(booking_id, id);

CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key          TEXT   NOT NULL,
    request_hash TEXT   NOT NULL,
    booking_id   BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
