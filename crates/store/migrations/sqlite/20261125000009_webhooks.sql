-- Signed webhooks (the Standard Webhooks scheme). An operator registers an endpoint; each
-- event is written once as a message; one job per subscribed endpoint delivers it, and every
-- try is an attempt row, so the delivery log shows what each receiver answered and when.

-- Where events go. The secret is the `whsec_…` signing key itself, not a digest: HMAC needs
-- the key to sign every request, and operators (the only ones who read this table) are shown
-- it to configure their receiver. An endpoint is only ever disabled by hand, with a reason
-- shown beside it: nothing turns deliveries off without someone seeing why.
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT   NOT NULL,
    description     TEXT   NOT NULL DEFAULT '',
    secret          TEXT   NOT NULL,
    event_types     TEXT   NOT NULL,  -- JSON list of event type names subscribed to
    enabled         BIGINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason TEXT,
    created_by      BIGINT NOT NULL REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (enabled = 1 OR disabled_reason IS NOT NULL)
);

-- One event, written once however many endpoints receive it. Its id (`msg_…`) is the
-- `webhook-id` header of every attempt, retries and replays included, so receivers can
-- deduplicate; its payload is the exact body signed and sent, kept as text so a retry or a
-- replay months later sends the same bytes.
CREATE TABLE webhook_messages (
    id         TEXT   PRIMARY KEY,
    event_type TEXT   NOT NULL,
    payload    TEXT   NOT NULL,  -- JSON envelope {type, timestamp, data}
    created_at BIGINT NOT NULL
);

-- Every try of a message at an endpoint: the delivery log. Numbered per (endpoint, message)
-- from 1, a hand replay continuing the count. status_code is NULL when no answer came (the
-- receiver was down, timed out); error then says why. Only an excerpt of the answer is kept
-- (capped by the sender), enough to read an error page without storing whatever a receiver
-- chooses to send back.
CREATE TABLE webhook_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id      BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    message_id       TEXT   NOT NULL REFERENCES webhook_messages(id),
    attempt          BIGINT NOT NULL CHECK (attempt >= 1),
    status_code      BIGINT,
    error            TEXT,
    response_excerpt TEXT,
    duration_ms      BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    UNIQUE (endpoint_id, message_id, attempt)
);
-- The log of one endpoint, newest first; and its consecutive failures since the last success.
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id);
