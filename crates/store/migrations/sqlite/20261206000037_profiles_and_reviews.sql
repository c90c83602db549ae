-- What a mentee chooses a mentor by, beyond the headline: experience and credentials, and the
-- languages they mentor in (one row each, so the directory filters by one).
ALTER TABLE mentor_profiles ADD COLUMN experience TEXT NOT NULL DEFAULT '';
CREATE TABLE mentor_languages (
    user_id  BIGINT NOT NULL REFERENCES mentor_profiles(user_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT   NOT NULL,
    PRIMARY KEY (user_id, position)
);
CREATE INDEX mentor_languages_name ON mentor_languages(name);

-- A review per session that took place, by its mentee; the mentor answers once.
CREATE TABLE mentor_reviews (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id BIGINT NOT NULL UNIQUE REFERENCES bookings(id),
    mentor_id  BIGINT NOT NULL REFERENCES users(id),
    mentee_id  BIGINT NOT NULL REFERENCES users(id),
    rating     BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    reply      TEXT,
    replied_at BIGINT,
    CHECK ((reply IS NULL) = (replied_at IS NULL))
);
CREATE INDEX mentor_reviews_mentor ON mentor_reviews(mentor_id, id);

-- A mentor's photo as served: already cropped and resized by Stint (never the upload).
CREATE TABLE mentor_photos (
    user_id      BIGINT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    content_type TEXT   NOT NULL,
    bytes        BLOB  NOT NULL,
    updated_at   BIGINT NOT NULL
);
