-- Refunds and corrections by operators: each is a ledger movement (`refund:<id>`,
-- `correction:<id>`) and this row, which says who made it, why, and (for a refund) which
-- purchase and how much money goes back. The audit view lists these rows.
CREATE TABLE ledger_adjustments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('refund', 'correction')),
    operator_id  BIGINT  NOT NULL REFERENCES users(id),
    user_id      BIGINT  NOT NULL REFERENCES users(id),
    -- Positive: credits into the wallet; negative: out of it.
    credits      BIGINT  NOT NULL CHECK (credits <> 0),
    purchase_id  BIGINT  REFERENCES purchases(id),
    money_minor  BIGINT  CHECK (money_minor IS NULL OR money_minor >= 0),
    currency     TEXT    CHECK (currency IS NULL OR length(currency) = 3),
    reason       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    CHECK ((kind = 'refund') = (purchase_id IS NOT NULL))
);
CREATE INDEX ledger_adjustments_purchase ON ledger_adjustments(purchase_id) WHERE purchase_id IS NOT NULL;
