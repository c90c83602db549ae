-- Applications to mentor and their review: an operator asks a question, approves (which
-- grants the mentor role in the same write) or declines with a reason. A person has one
-- open application (pending or asked) at most. competencies: a JSON array of slugs.
CREATE TABLE mentor_applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    experience   TEXT   NOT NULL,
    competencies TEXT   NOT NULL,
    sample       TEXT   NOT NULL,
    links        TEXT   NOT NULL DEFAULT '',
    status       TEXT   NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'asked', 'approved', 'declined')),
    question     TEXT   NOT NULL DEFAULT '',
    answer       TEXT   NOT NULL DEFAULT '',
    reason       TEXT   NOT NULL DEFAULT '',
    decided_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX mentor_applications_one_open ON mentor_applications (user_id)
    WHERE status IN ('pending', 'asked');
CREATE INDEX mentor_applications_queue ON mentor_applications (status, created_at);
CREATE INDEX mentor_applications_of_user ON mentor_applications (user_id, id);
