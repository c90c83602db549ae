-- Reports too slow to count on every request at scale (value by outcome, a pilot's report,
-- an experiment's results), kept as last counted: the figures as JSON, no personal data.
CREATE TABLE kept_reports (
    name       TEXT   NOT NULL PRIMARY KEY,
    body       TEXT   NOT NULL,
    counted_at BIGINT NOT NULL
);
