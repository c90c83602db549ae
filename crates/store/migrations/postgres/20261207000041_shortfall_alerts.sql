-- Shortfalls of hours as the forecasts find them: one open row per competency and band while
-- it lasts (the unique index), so operators are alerted once per shortfall; closed when the
-- forecast no longer shows it.
CREATE TABLE shortfalls (
    id            BIGSERIAL PRIMARY KEY,
    competency_id BIGINT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
    band          TEXT   NOT NULL,
    first_week    BIGINT NOT NULL,
    opened_at     BIGINT NOT NULL,
    closed_at     BIGINT
);
CREATE UNIQUE INDEX shortfalls_open ON shortfalls (competency_id, band) WHERE closed_at IS NULL;

-- Mentors asked to open more hours, so none is asked more than once a fortnight.
CREATE TABLE hours_asks (
    mentor_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    competency_id BIGINT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
    asked_at      BIGINT NOT NULL,
    PRIMARY KEY (mentor_id, asked_at)
);
