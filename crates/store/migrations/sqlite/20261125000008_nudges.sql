-- Nudges: each person's preferences, the delivery log and the in-app inbox.

-- Preferences are read and written whole (reminder leads, quiet hours, channels per kind),
-- as JSON; a person without a row has the defaults.
CREATE TABLE nudge_prefs (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    prefs      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One row per nudge and channel: the nudge's key (stable across planning runs) and the
-- channel are unique, so whatever runs the delivery twice (a retry, a worker that died after
-- sending), a nudge is recorded, and sent, once per channel. 'failed' keeps the last error
-- of an attempt that will be retried; it becomes 'sent' when one succeeds, never back.
CREATE TABLE nudge_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    nudge_key    TEXT   NOT NULL,
    channel      TEXT   NOT NULL CHECK (channel IN ('in_app', 'email')),
    booking_id   BIGINT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    recipient_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('sent', 'failed')),
    detail       TEXT   NOT NULL,  -- the message id when sent, the error when failed
    attempts     BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    at           BIGINT NOT NULL,  -- sent at, or when the last attempt failed
    UNIQUE (nudge_key, channel)
);
CREATE INDEX nudge_deliveries_booking ON nudge_deliveries (booking_id, at);
CREATE INDEX nudge_deliveries_recent ON nudge_deliveries (at);

-- The in-app inbox. Written in the same transaction as the in_app delivery row, so an
-- inbox item exists exactly when its delivery is recorded.
CREATE TABLE inbox_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    booking_id BIGINT REFERENCES bookings(id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    link       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX inbox_items_user ON inbox_items (user_id, id);
CREATE INDEX inbox_items_unread ON inbox_items (user_id) WHERE read_at IS NULL;
