-- The no-show risk model the `insights.risk` job last trained (weights, standardization and
-- its held-out evaluation as JSON); one row at most, removed when there is too little data.
CREATE TABLE risk_models (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    body       TEXT   NOT NULL,
    trained_at BIGINT NOT NULL
);
