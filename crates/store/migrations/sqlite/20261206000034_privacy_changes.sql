-- Each change a person makes to their privacy settings (retention, when their mentor reads
-- their prep, what a sponsor sees), described in words, for them to look back on.
CREATE TABLE privacy_changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    change  TEXT   NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX privacy_changes_user ON privacy_changes(user_id, id);
