-- How long a person chose to keep their own data of a class (within the published policy's
-- range); without a row, the policy's default. The retention job reads it per owner.
CREATE TABLE privacy_choices (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    class      TEXT   NOT NULL,
    days       BIGINT NOT NULL CHECK (days > 0),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, class)
);
