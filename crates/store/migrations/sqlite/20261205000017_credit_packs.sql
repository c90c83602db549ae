-- Credit packs operators sell, purchases of them (paid through a provider, or by invoice an
-- operator marks paid), and the lots the credits of a paid purchase are kept in, each with
-- its expiry. A purchase is credited once: its state moves from pending to paid in the same
-- transaction as its ledger movement (key `purchase:<id>`) and its lot.
CREATE TABLE credit_packs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    credits      BIGINT  NOT NULL CHECK (credits > 0),
    price_minor  BIGINT  NOT NULL CHECK (price_minor >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    months_valid INTEGER CHECK (months_valid IS NULL OR months_valid > 0),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE purchases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users(id),
    pack_id      BIGINT  NOT NULL REFERENCES credit_packs(id),
    credits      BIGINT  NOT NULL CHECK (credits > 0),
    price_minor  BIGINT  NOT NULL CHECK (price_minor >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    months_valid INTEGER,
    provider     TEXT    NOT NULL,
    provider_ref TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'paid', 'cancelled')),
    created_at   BIGINT  NOT NULL,
    paid_at      BIGINT,
    CHECK ((state = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX purchases_user ON purchases(user_id, id);
CREATE INDEX purchases_state ON purchases(state, id);

CREATE TABLE credit_lots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    purchase_id BIGINT UNIQUE REFERENCES purchases(id),
    credits     BIGINT NOT NULL CHECK (credits > 0),
    remaining   BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= credits),
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX credit_lots_user ON credit_lots(user_id, expires_at);
