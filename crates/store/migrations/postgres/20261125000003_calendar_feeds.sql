-- Private calendar subscription feeds: one per user, only a digest of the secret is kept,
-- so a leaked database does not leak anyone's schedule; making a new one revokes the old.
CREATE TABLE calendar_feeds (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
