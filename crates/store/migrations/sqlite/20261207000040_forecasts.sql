-- The latest forecast of each series (demand or supply, in hours a week) of each competency
-- in each zone band, made by the `insights.forecast` job and replaced whole by each run. The
-- method, its evaluation on held-out weeks and the forecast weeks are kept as one JSON body.
CREATE TABLE insight_forecasts (
    competency_id BIGINT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
    band          TEXT   NOT NULL,
    series        TEXT   NOT NULL CHECK (series IN ('demand', 'supply')),
    body          TEXT   NOT NULL,
    computed_at   BIGINT NOT NULL,
    PRIMARY KEY (competency_id, band, series)
);
