-- Every change to a mentor's sessions bumps the mentor's booking version. A booking reads
-- the mentor's rules, sessions and version, decides, then writes only if the version is
-- still the one it read (compare-and-set): bookings of one mentor are serialised without
-- holding a lock while deciding.
ALTER TABLE users ADD COLUMN booking_version BIGINT NOT NULL DEFAULT 0;
