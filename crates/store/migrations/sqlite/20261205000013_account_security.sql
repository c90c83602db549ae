-- Account security: when each API token was last used (shown in the token list), and
-- single-use password-reset links, stored as digests only.
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT   NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);
