-- The retention policy's job: what each run removed, by class (counts, never content), and
-- the indexes its deletes walk by time.
CREATE TABLE retention_runs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    class   TEXT   NOT NULL,
    removed BIGINT NOT NULL CHECK (removed >= 0),
    ran_at  BIGINT NOT NULL
);
CREATE INDEX inbox_items_created ON inbox_items(created_at);
CREATE INDEX webhook_messages_created ON webhook_messages(created_at);
