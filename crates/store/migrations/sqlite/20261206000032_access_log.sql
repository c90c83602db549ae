-- Who read a person's private data: their mentor reading their intake answers, assessments
-- or shared notes, a sponsor's admin reading the progress they chose to share. The person
-- reads their own log. One row per reader, owner, kind and session an hour: a page opened
-- ten times is one read.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   BIGINT NOT NULL REFERENCES users(id),
    reader_id  BIGINT NOT NULL REFERENCES users(id),
    what       TEXT   NOT NULL,
    booking_id BIGINT REFERENCES bookings(id),
    at         BIGINT NOT NULL
);
CREATE INDEX access_log_owner ON access_log(owner_id, id);
CREATE INDEX access_log_recent ON access_log(owner_id, reader_id, what, at);
CREATE INDEX access_log_at ON access_log(at);
