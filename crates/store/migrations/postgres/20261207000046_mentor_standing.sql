-- A mentor's standing: listed (found and booked), paused by themself (until resume_on, a
-- YYYY-MM-DD that begins in their zone, or until they resume), frozen for inactivity (until
-- they reactivate) or suspended by an operator (standing_note says why, for operators only).
-- Only listed mentors are searched. inactive_since: when a listed mentor was found inactive
-- and reminded (the grace period runs from then); cleared when they are active again.
ALTER TABLE mentor_profiles ADD COLUMN standing TEXT NOT NULL DEFAULT 'listed'
    CHECK (standing IN ('listed', 'paused', 'frozen', 'suspended'));
ALTER TABLE mentor_profiles ADD COLUMN inactive_since BIGINT;
ALTER TABLE mentor_profiles ADD COLUMN resume_on TEXT;
ALTER TABLE mentor_profiles ADD COLUMN standing_note TEXT NOT NULL DEFAULT '';
ALTER TABLE mentor_profiles ADD COLUMN standing_since BIGINT;
-- The few who are not listed, for the hourly return of pauses and the operators' list.
CREATE INDEX mentor_profiles_unlisted ON mentor_profiles (standing) WHERE standing <> 'listed';
