-- The credit ledger (stint_domain::ledger): one row per account with its balance, and the
-- immutable transfers of whole credits between accounts. A movement (a purchase, a hold, a
-- settlement in two legs) is the transfers written together under one idempotency key.
-- Only the world account may go negative; the database refuses any other negative balance.
CREATE TABLE ledger_accounts (
    name            TEXT    PRIMARY KEY,
    balance         BIGINT  NOT NULL DEFAULT 0,
    may_go_negative INTEGER NOT NULL DEFAULT 0 CHECK (may_go_negative IN (0, 1)),
    CHECK (may_go_negative = 1 OR balance >= 0)
);
INSERT INTO ledger_accounts (name, balance, may_go_negative) VALUES
    ('world', 0, 1), ('held', 0, 0), ('bonus_escrow', 0, 0), ('revenue', 0, 0), ('expired', 0, 0);

CREATE TABLE ledger_transfers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    movement     TEXT   NOT NULL,
    seq          INTEGER NOT NULL,
    from_account TEXT   NOT NULL REFERENCES ledger_accounts(name),
    to_account   TEXT   NOT NULL REFERENCES ledger_accounts(name),
    amount       BIGINT NOT NULL CHECK (amount > 0 AND amount <= 1000000000),
    kind         TEXT   NOT NULL,
    reference    TEXT   NOT NULL DEFAULT '',
    -- Money paid for the credits, in ISO 4217 minor units, beside the purchase that bought them.
    money_minor  BIGINT CHECK (money_minor IS NULL OR money_minor >= 0),
    currency     TEXT   CHECK (currency IS NULL OR length(currency) = 3),
    at           BIGINT NOT NULL,
    CHECK (from_account <> to_account),
    UNIQUE (movement, seq)
);
CREATE INDEX ledger_transfers_from ON ledger_transfers(from_account, id);
CREATE INDEX ledger_transfers_to ON ledger_transfers(to_account, id);
CREATE INDEX ledger_transfers_reference ON ledger_transfers(reference) WHERE reference <> '';

CREATE TRIGGER ledger_transfers_never_changed BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are never changed: correct them with new transfers'); END;
CREATE TRIGGER ledger_transfers_never_deleted BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are never deleted: correct them with new transfers'); END;
