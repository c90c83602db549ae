-- Employer sponsorship. An organisation pays for its members' sessions from a budget: a
-- ledger account `budget:<id>` funded by invoices an operator marks paid (`budget_fundings`,
-- credited once, key `funding:<id>`). Its rules sit on its row: the period (month or
-- quarter, UTC), what is left at the end (roll over or expire), each member's cap per period
-- in credits and sessions, the session types it pays for (`budget_skus`), and whether a
-- booking waits for an admin's approval (`approval_hours` to decide; NULL: it does not).
CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    period       TEXT    NOT NULL DEFAULT 'month' CHECK (period IN ('month', 'quarter')),
    leftover     TEXT    NOT NULL DEFAULT 'roll_over' CHECK (leftover IN ('roll_over', 'expire')),
    cap_credits  BIGINT  NOT NULL DEFAULT 0 CHECK (cap_credits >= 0),
    cap_sessions BIGINT  NOT NULL DEFAULT 0 CHECK (cap_sessions >= 0),
    approval_hours BIGINT CHECK (approval_hours IS NULL OR approval_hours BETWEEN 1 AND 336),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

-- Who belongs: admins run the budget, members book with it. A member who leaves keeps the
-- row with `left_at`, so what the budget already paid for stays explained.
CREATE TABLE org_members (
    org_id    BIGINT NOT NULL REFERENCES organisations(id),
    user_id   BIGINT NOT NULL REFERENCES users(id),
    role      TEXT   NOT NULL CHECK (role IN ('admin', 'member')),
    joined_at BIGINT NOT NULL,
    left_at   BIGINT,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user ON org_members(user_id);

-- Invitations by e-mail: a single-use link whose secret is stored only as its digest.
CREATE TABLE org_invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    email      TEXT   NOT NULL,
    role       TEXT   NOT NULL CHECK (role IN ('admin', 'member')),
    digest     TEXT   NOT NULL UNIQUE,
    invited_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX org_invites_org ON org_invites(org_id, id);

CREATE TABLE budget_skus (
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    sku_id BIGINT NOT NULL REFERENCES skus(id),
    PRIMARY KEY (org_id, sku_id)
);

-- What each member used of their cap in each period: the booking's write adds to it only
-- while it stays within the cap, in the same transaction as the hold.
CREATE TABLE budget_usage (
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    member_id    BIGINT NOT NULL REFERENCES users(id),
    period_start BIGINT NOT NULL,
    credits      BIGINT NOT NULL CHECK (credits >= 0),
    sessions     BIGINT NOT NULL CHECK (sessions >= 0),
    PRIMARY KEY (org_id, member_id, period_start)
);

-- The bookings a budget pays for, with the period and credits they count against, and, where
-- the budget asks for it, the admin's decision: pending until `approval_due`, when an
-- undecided request lapses (the booking is cancelled and its hold released).
CREATE TABLE budget_holds (
    booking_id   BIGINT PRIMARY KEY REFERENCES bookings(id),
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    member_id    BIGINT NOT NULL REFERENCES users(id),
    period_start BIGINT NOT NULL,
    credits      BIGINT NOT NULL CHECK (credits > 0),
    approval     TEXT   CHECK (approval IS NULL OR approval IN ('pending', 'approved', 'declined', 'lapsed')),
    approval_due BIGINT,
    CHECK ((approval IS NULL) = (approval_due IS NULL))
);
CREATE INDEX budget_holds_org ON budget_holds(org_id, booking_id);
CREATE INDEX budget_holds_pending ON budget_holds(org_id, approval, approval_due);

CREATE TABLE budget_fundings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    credits    BIGINT NOT NULL CHECK (credits > 0),
    reference  TEXT   NOT NULL,
    state      TEXT   NOT NULL CHECK (state IN ('pending', 'paid')),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    paid_at    BIGINT,
    CHECK ((state = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX budget_fundings_org ON budget_fundings(org_id, id);
CREATE INDEX budget_fundings_pending ON budget_fundings(state, id);

-- Each budget period is closed once, after it ends: where what is left expires, the budget's
-- balance less what was funded since the new period began moves to `expired` (movement
-- `budget-expire:<org>:<period start>`). Setting the rules closes the period they are set in,
-- so a change to `expire` applies from the next period on.
CREATE TABLE budget_periods (
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    period_start BIGINT NOT NULL,
    expired      BIGINT NOT NULL CHECK (expired >= 0),
    closed_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, period_start)
);
