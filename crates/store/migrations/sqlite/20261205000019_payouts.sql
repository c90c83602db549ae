-- Payouts: what mentors earned leaves their earnings account to the world (ledger kind
-- `payout`, movement `payout:<id>`), each recorded here with the operator who ran it. A run
-- pays every mentor what they are owed at once; its CSV is read back from these rows.
CREATE TABLE payout_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    operator_id BIGINT  NOT NULL REFERENCES users(id),
    total       BIGINT  NOT NULL CHECK (total >= 0),
    created_at  BIGINT  NOT NULL
);

CREATE TABLE payouts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      BIGINT  NOT NULL REFERENCES payout_runs(id),
    mentor_id   BIGINT  NOT NULL REFERENCES users(id),
    credits     BIGINT  NOT NULL CHECK (credits > 0),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX payouts_run ON payouts(run_id, id);
CREATE INDEX payouts_mentor ON payouts(mentor_id, id);
