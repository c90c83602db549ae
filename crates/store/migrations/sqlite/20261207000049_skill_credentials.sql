-- Skill credentials: a mentee's signed proof of a checkpoint reached in a session (an Open
-- Badges 3.0 credential as a VC-JWT). The id is the credential's place on the revocation
-- list, so rows are never deleted: erasure empties one and revokes it. share_token: the
-- public verification link while the mentee shares it.
CREATE TABLE skill_credentials (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id   BIGINT NOT NULL UNIQUE REFERENCES bookings(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    jwt          TEXT   NOT NULL,
    share_token  TEXT   UNIQUE,
    revoked_at   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX skill_credentials_user ON skill_credentials (user_id, id);
-- The issuer's Ed25519 key when none is configured: made once, kept by every node alike.
CREATE TABLE credential_issuer (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    seed       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
