-- Workspace chat: a person's incoming webhook (Slack, Mattermost or a Teams workflow) their
-- session nudges also go to. url is sealed like notes (it carries the webhook's secret);
-- the last delivery's outcome is kept for the health line on the settings page.
CREATE TABLE chat_channels (
    user_id       BIGINT NOT NULL PRIMARY KEY REFERENCES users(id),
    kind          TEXT   NOT NULL,
    url           TEXT   NOT NULL,
    host          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    last_ok_at    BIGINT,
    last_error    TEXT   NOT NULL DEFAULT '',
    last_error_at BIGINT
);

-- Chat is a channel of the delivery log like the inbox and e-mail.
ALTER TABLE nudge_deliveries DROP CONSTRAINT nudge_deliveries_channel_check;
ALTER TABLE nudge_deliveries ADD CONSTRAINT nudge_deliveries_channel_check
    CHECK (channel IN ('in_app', 'email', 'chat'));
