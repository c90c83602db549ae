-- What a session type promises its mentee, made real: a link or a file per promised artifact
-- of a version (its position in the version's artifacts and its title, so a later version
-- keeps what still matches).
CREATE TABLE sku_materials (
    sku_id       BIGINT NOT NULL REFERENCES skus(id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    position     BIGINT NOT NULL,
    title        TEXT   NOT NULL,
    url          TEXT,
    file_name    TEXT,
    content_type TEXT,
    bytes        BYTEA,
    size         BIGINT NOT NULL DEFAULT 0,
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (sku_id, version, position),
    CHECK ((url IS NULL) <> (bytes IS NULL))
);
