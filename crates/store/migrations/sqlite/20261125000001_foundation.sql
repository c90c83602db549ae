-- Accounts, sessions, API tokens, login throttling, the catalog and mentor profiles.
-- Times are Unix seconds (BIGINT); flags are 0/1; lists are JSON text.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    timezone      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT   NOT NULL CHECK (role IN ('mentee', 'mentor', 'sponsor_admin', 'operator')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE web_sessions (
    token_hash TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT   NOT NULL UNIQUE,
    label        TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email     TEXT   NOT NULL,
    address   TEXT   NOT NULL,
    at        BIGINT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts(email, at);
CREATE INDEX login_attempts_address ON login_attempts(address, at);

CREATE TABLE competencies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    rubric      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE checkpoints (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    competency_id BIGINT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
    slug          TEXT   NOT NULL,
    title         TEXT   NOT NULL,
    description   TEXT   NOT NULL,
    UNIQUE (competency_id, slug)
);

CREATE TABLE skus (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT   NOT NULL UNIQUE,
    status          TEXT   NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
    current_version BIGINT NOT NULL,
    ever_published  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE sku_versions (
    sku_id                  BIGINT NOT NULL REFERENCES skus(id) ON DELETE CASCADE,
    version                 BIGINT NOT NULL,
    title                   TEXT   NOT NULL,
    duration_minutes        BIGINT NOT NULL CHECK (duration_minutes BETWEEN 20 AND 60),
    competency_id           BIGINT NOT NULL REFERENCES competencies(id),
    checkpoint_id           BIGINT NOT NULL REFERENCES checkpoints(id),
    outcome                 TEXT   NOT NULL,
    artifacts               TEXT   NOT NULL,
    intake_questions        TEXT   NOT NULL,
    pre_reads               TEXT   NOT NULL,
    followup_template       TEXT   NOT NULL,
    price_credits           BIGINT NOT NULL CHECK (price_credits >= 0),
    cancel_cutoff_hours     BIGINT NOT NULL CHECK (cancel_cutoff_hours >= 0),
    reschedule_cutoff_hours BIGINT NOT NULL CHECK (reschedule_cutoff_hours >= 0),
    created_at              BIGINT NOT NULL,
    created_by              BIGINT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (sku_id, version)
);

CREATE TABLE mentor_profiles (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    headline    TEXT   NOT NULL,
    bio         TEXT   NOT NULL,
    meeting_url TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE mentor_skus (
    user_id BIGINT NOT NULL REFERENCES mentor_profiles(user_id) ON DELETE CASCADE,
    sku_id  BIGINT NOT NULL REFERENCES skus(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, sku_id)
);
CREATE INDEX mentor_skus_sku ON mentor_skus(sku_id);
