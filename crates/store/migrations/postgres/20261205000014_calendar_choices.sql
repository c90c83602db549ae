-- A CalDAV account may hold several calendars: the mentor ticks which count as busy time and
-- picks the one sessions are written into, and only one source of a mentor receives sessions.
-- calendars_json: [{"url", "name", "busy"}] as discovery last found them, with the ticks.
-- previous_calendar_url: a target the mentor moved away from; the next sync removes Stint's
-- events from it.
ALTER TABLE calendar_sources ADD COLUMN calendars_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE calendar_sources ADD COLUMN writes_sessions BIGINT NOT NULL DEFAULT 1;
ALTER TABLE calendar_sources ADD COLUMN previous_calendar_url TEXT;
UPDATE calendar_sources SET writes_sessions = 0
WHERE kind <> 'caldav'
   OR id <> (SELECT MIN(s2.id) FROM calendar_sources s2
             WHERE s2.mentor_id = calendar_sources.mentor_id AND s2.kind = 'caldav');
