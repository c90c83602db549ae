-- Workspace chat: a person's incoming webhook (Slack, Mattermost or a Teams workflow) their
-- session nudges also go to. url is sealed like notes (it carries the webhook's secret);
-- the last delivery's outcome is kept for the health line on the settings page.
CREATE TABLE chat_channels (
    user_id       BIGINT NOT NULL PRIMARY KEY REFERENCES users(id),
    kind          TEXT   NOT NULL,
    url           TEXT   NOT NULL,
    host          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    last_ok_at    BIGINT,
    last_error    TEXT   NOT NULL DEFAULT '',
    last_error_at BIGINT
);

-- Chat is a channel of the delivery log like the inbox and e-mail. SQLite cannot change a
-- CHECK in place: the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE nudge_deliveries_with_chat (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    nudge_key    TEXT   NOT NULL,
    channel      TEXT   NOT NULL CHECK (channel IN ('in_app', 'email', 'chat')),
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
INSERT INTO nudge_deliveries_with_chat
    (id, nudge_key, channel, booking_id, recipient_id, kind, status, detail, attempts, due_at, at)
    SELECT id, nudge_key, channel, booking_id, recipient_id, kind, status, detail, attempts, due_at, at
    FROM nudge_deliveries;
DROP TABLE nudge_deliveries;
ALTER TABLE nudge_deliveries_with_chat RENAME TO nudge_deliveries;
CREATE INDEX nudge_deliveries_booking ON nudge_deliveries (booking_id, at);
CREATE INDEX nudge_deliveries_recent ON nudge_deliveries (at);
