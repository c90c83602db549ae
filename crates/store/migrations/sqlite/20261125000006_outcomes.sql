-- The outcome loop: prep before a session, micro-assessments, notes, how the mentor closed
-- it, accountability tasks and delivered artifacts. Everything hangs off its booking.
CREATE TABLE booking_preps (
    booking_id     BIGINT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    intake_answers TEXT   NOT NULL,  -- JSON list, in the order of the SKU's questions
    pre_reads_read TEXT   NOT NULL,  -- JSON list of pre-read positions
    updated_at     BIGINT NOT NULL
);

CREATE TABLE assessments (
    booking_id   BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind         TEXT   NOT NULL CHECK (kind IN ('baseline', 'followup')),
    level        BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    answers      TEXT   NOT NULL,  -- JSON list, in the order of the SKU's questions
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (booking_id, kind)
);

CREATE TABLE booking_notes (
    booking_id BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL CHECK (kind IN ('shared', 'mentor_private', 'mentee_private')),
    body       TEXT   NOT NULL,
    author_id  BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (booking_id, kind)
);

CREATE TABLE session_closings (
    booking_id        BIGINT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
    checkpoint        TEXT   NOT NULL CHECK (checkpoint IN ('reached', 'partly', 'not_reached')),
    evidence          TEXT   NOT NULL,
    followup          TEXT   NOT NULL,
    closed_by         BIGINT NOT NULL REFERENCES users(id),
    closed_at         BIGINT NOT NULL,
    followup_opens_at BIGINT NOT NULL
);

CREATE TABLE session_tasks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    title      TEXT   NOT NULL,
    due        TEXT   NOT NULL,  -- YYYY-MM-DD, a civil date in the mentee's life
    done_at    BIGINT,
    UNIQUE (booking_id, position)
);

CREATE TABLE session_deliverables (
    booking_id BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    title      TEXT   NOT NULL,
    ticked_at  BIGINT,
    PRIMARY KEY (booking_id, position)
);
