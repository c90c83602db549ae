-- A note is rendered to sanitized HTML once, when it is saved, and views read it from here.
-- Empty: saved before this column existed; the application renders it when it is read.
ALTER TABLE booking_notes ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
