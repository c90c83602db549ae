-- Holds: a booking's price put aside from the payer's wallet in the same write as the booking,
-- kept until the session is settled, released or forfeited (each hold ends once: its state
-- leaves 'held' once). `hold_lots` says which lots the hold took credits from, so a release
-- gives them back where they came from. Every change of an account bumps its version: a
-- claim decided on a wallet checks the version it read (PostgreSQL's batch statement).
ALTER TABLE ledger_accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE booking_charges (
    booking_id BIGINT PRIMARY KEY REFERENCES bookings(id),
    payer      TEXT    NOT NULL REFERENCES ledger_accounts(name),
    price      BIGINT  NOT NULL CHECK (price > 0),
    state      TEXT    NOT NULL CHECK (state IN ('held', 'settled', 'released', 'forfeited')),
    ended_at   BIGINT,
    CHECK ((state = 'held') = (ended_at IS NULL))
);
CREATE INDEX booking_charges_held ON booking_charges(state) WHERE state = 'held';

CREATE TABLE hold_lots (
    booking_id BIGINT NOT NULL REFERENCES booking_charges(booking_id),
    lot_id     BIGINT  NOT NULL REFERENCES credit_lots(id),
    amount     BIGINT  NOT NULL CHECK (amount > 0),
    PRIMARY KEY (booking_id, lot_id)
);
