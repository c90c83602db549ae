-- The outcome loop: each SKU version names its micro-assessment questions (a JSON list,
-- at most three) and how many days after closing the follow-up assessment opens.
-- Defaults keep versions written before this migration valid: no questions, seven days.
ALTER TABLE sku_versions ADD COLUMN assessment_questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sku_versions ADD COLUMN followup_delay_days BIGINT NOT NULL DEFAULT 7
    CHECK (followup_delay_days BETWEEN 1 AND 60);
