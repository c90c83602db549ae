-- Sign-ups waiting for the owner of the address to confirm: the account is made only from
-- the link mailed to it, so a sign-up never tells whether an address has an account.
-- The link's secret is made when the mail is sent and only its digest is kept.
CREATE TABLE signups (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT   NOT NULL,
    display_name  TEXT   NOT NULL,
    timezone      TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    token_hash    TEXT   UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX signups_email ON signups(email, created_at);
