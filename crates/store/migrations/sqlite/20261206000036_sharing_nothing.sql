-- "Nothing": a member may keep themself out of their organisation's figures altogether (its
-- outcome figures and participation count), beside "aggregates" and "progress" in `shares`.
ALTER TABLE org_members ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0 CHECK (withheld IN (0, 1));
