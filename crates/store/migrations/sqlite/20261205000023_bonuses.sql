-- Each SKU version says what a late cancel forfeits and whether it carries an outcome bonus;
-- a booking keeps the version it was made with, so both are frozen with it.
ALTER TABLE sku_versions ADD COLUMN late_cancel_percent BIGINT NOT NULL DEFAULT 50
    CHECK (late_cancel_percent BETWEEN 0 AND 100);
ALTER TABLE sku_versions ADD COLUMN bonus_credits BIGINT NOT NULL DEFAULT 0 CHECK (bonus_credits >= 0);

-- A booking's bonus, escrowed beside its hold (wallet → bonus_escrow, in the claim): it
-- leaves 'escrowed' once, paid to the mentor or returned to the payer. `bonus_until` is the
-- end of the mentee's window to confirm the milestone, set when the session closes.
ALTER TABLE booking_charges ADD COLUMN bonus BIGINT NOT NULL DEFAULT 0 CHECK (bonus >= 0);
ALTER TABLE booking_charges ADD COLUMN bonus_state TEXT
    CHECK (bonus_state IN ('escrowed', 'paid', 'returned'));
ALTER TABLE booking_charges ADD COLUMN bonus_until BIGINT;
ALTER TABLE booking_charges ADD COLUMN bonus_ended_at BIGINT;
CREATE INDEX booking_charges_bonus_due ON booking_charges(bonus_until) WHERE bonus_state = 'escrowed';
