-- Experiments on a factor Stint controls: the variants as JSON (the control first), at most
-- one running per factor (the partial unique index).
CREATE TABLE experiments (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT   NOT NULL,
    factor      TEXT   NOT NULL,
    hypothesis  TEXT   NOT NULL,
    variants    TEXT   NOT NULL,
    started_by  BIGINT NOT NULL REFERENCES users(id),
    started_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE UNIQUE INDEX experiments_running ON experiments (factor) WHERE ended_at IS NULL;

-- Who met an experiment, in which variant, and when first: the first exposure is kept.
CREATE TABLE experiment_exposures (
    experiment_id BIGINT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    variant       BIGINT NOT NULL,
    exposed_at    BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, user_id)
);
