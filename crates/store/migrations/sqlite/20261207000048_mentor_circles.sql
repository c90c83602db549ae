-- Mentor circles: operators form a circle of five to eight mentors; members post and reply in
-- its thread (Markdown kept as written and as sanitized HTML, rendered once when saved) and
-- meet on its calls. told_upto: the newest post a member's digest has told them of.
CREATE TABLE mentor_circles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE circle_members (
    circle_id BIGINT NOT NULL REFERENCES mentor_circles(id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    told_upto BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX circle_members_user ON circle_members (user_id, circle_id);
CREATE TABLE circle_posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    circle_id  BIGINT NOT NULL REFERENCES mentor_circles(id) ON DELETE CASCADE,
    author_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    parent_id  BIGINT REFERENCES circle_posts(id) ON DELETE SET NULL,
    body       TEXT   NOT NULL,
    html       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX circle_posts_thread ON circle_posts (circle_id, id);
CREATE TABLE circle_calls (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    circle_id  BIGINT NOT NULL REFERENCES mentor_circles(id) ON DELETE CASCADE,
    start_at   BIGINT NOT NULL,
    end_at     BIGINT NOT NULL,
    location   TEXT   NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX circle_calls_circle ON circle_calls (circle_id, start_at);
