-- Operations intelligence. Each mentor's hours per UTC week (Monday 00:00), kept by the
-- `insights.hours` job: offered (working hours less time off and other calendars, within the
-- caps), booked and delivered, with the zone band the mentor was in that week.
CREATE TABLE mentor_week_hours (
    mentor_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    week_start        BIGINT NOT NULL,
    band              TEXT   NOT NULL,
    offered_minutes   BIGINT NOT NULL CHECK (offered_minutes >= 0),
    booked_minutes    BIGINT NOT NULL CHECK (booked_minutes >= 0),
    delivered_minutes BIGINT NOT NULL CHECK (delivered_minutes >= 0),
    computed_at       BIGINT NOT NULL,
    PRIMARY KEY (mentor_id, week_start)
);
CREATE INDEX mentor_week_hours_week ON mentor_week_hours(week_start);

-- Searches for times, counted per week, competency and the searcher's zone band, with how
-- many found nothing and how many found nothing in the searcher's working day. No person,
-- address or time of a search is kept.
CREATE TABLE search_demand (
    week_start    BIGINT NOT NULL,
    competency_id BIGINT NOT NULL REFERENCES competencies(id) ON DELETE CASCADE,
    band          TEXT   NOT NULL,
    searches      BIGINT NOT NULL DEFAULT 0,
    empty         BIGINT NOT NULL DEFAULT 0,
    off_hours     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (week_start, competency_id, band)
);

-- Bookings made per week are counted from when each was made.
CREATE INDEX bookings_created ON bookings(created_at);
