-- A person's privacy settings beyond retention: whether their mentor reads their intake
-- answers and baseline only once the session starts (by default, beforehand, to prepare).
CREATE TABLE privacy_prefs (
    user_id                    BIGINT PRIMARY KEY REFERENCES users(id),
    prep_private_until_session BIGINT NOT NULL DEFAULT 0
        CHECK (prep_private_until_session IN (0, 1)),
    updated_at                 BIGINT NOT NULL
);
