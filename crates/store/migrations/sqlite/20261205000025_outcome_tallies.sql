-- Outcome figures kept up to date: every closed session counted once in its SKU's tallies
-- and once in its mentor's, by checkpoint result and both assessment levels (0: not taken),
-- with its tasks summed. The close, an assessment or a task ticked moves the session between
-- tallies in its own transaction (crates/store/src/sql/outcome_tallies.rs), so a page with
-- figures reads a few dozen rows however many sessions there are.
CREATE TABLE outcome_tallies (
    scope       TEXT   NOT NULL CHECK (scope IN ('sku', 'mentor')),
    owner_id    BIGINT NOT NULL,
    checkpoint  TEXT   NOT NULL,
    baseline    BIGINT NOT NULL,
    followup    BIGINT NOT NULL,
    sessions    BIGINT NOT NULL CHECK (sessions >= 0),
    tasks_total BIGINT NOT NULL CHECK (tasks_total >= 0),
    tasks_done  BIGINT NOT NULL CHECK (tasks_done >= 0 AND tasks_done <= tasks_total)
);
CREATE UNIQUE INDEX outcome_tallies_grade
    ON outcome_tallies(scope, owner_id, checkpoint, baseline, followup);

-- The sessions closed before this migration (the same statement as
-- `RECOUNT` in crates/store/src/sql/outcome_tallies.rs).
WITH s AS (
    SELECT b.sku_id, b.mentor_id, c.checkpoint,
        COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline'), 0) AS baseline,
        COALESCE((SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup'), 0) AS followup,
        (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id) AS tasks_total,
        (SELECT COUNT(*) FROM session_tasks t WHERE t.booking_id = b.id AND t.done_at IS NOT NULL) AS tasks_done
    FROM session_closings c JOIN bookings b ON b.id = c.booking_id
)
INSERT INTO outcome_tallies (scope, owner_id, checkpoint, baseline, followup, sessions, tasks_total, tasks_done)
SELECT 'sku', sku_id, checkpoint, baseline, followup, COUNT(*),
       CAST(SUM(tasks_total) AS BIGINT), CAST(SUM(tasks_done) AS BIGINT)
FROM s GROUP BY sku_id, checkpoint, baseline, followup
UNION ALL
SELECT 'mentor', mentor_id, checkpoint, baseline, followup, COUNT(*),
       CAST(SUM(tasks_total) AS BIGINT), CAST(SUM(tasks_done) AS BIGINT)
FROM s GROUP BY mentor_id, checkpoint, baseline, followup;
