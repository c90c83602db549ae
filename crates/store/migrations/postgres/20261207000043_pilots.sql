-- 90-day pilots: a cohort of members and the session types it covers, from a start date
-- ('YYYY-MM-DD'); the members' check-ins (a self-rating per competency of the pilot at 0, 30,
-- 60 and 90 days), one per member, day and competency.
CREATE TABLE pilots (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT   NOT NULL,
    org_id      BIGINT REFERENCES organisations(id),
    start_date  TEXT   NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE pilot_skus (
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    sku_id   BIGINT NOT NULL REFERENCES skus(id),
    PRIMARY KEY (pilot_id, sku_id)
);

CREATE TABLE pilot_members (
    pilot_id BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pilot_id, user_id)
);
CREATE INDEX pilot_members_user ON pilot_members (user_id);

CREATE TABLE pilot_check_ins (
    pilot_id      BIGINT NOT NULL REFERENCES pilots(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day           BIGINT NOT NULL CHECK (day IN (0, 30, 60, 90)),
    competency_id BIGINT NOT NULL REFERENCES competencies(id),
    level         BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    answered_at   BIGINT NOT NULL,
    PRIMARY KEY (pilot_id, user_id, day, competency_id)
);
