-- What sponsorship adds to joining and to being told.
--
-- An organisation's e-mail domains: once someone reading mail at an address there opens the
-- single-use link sent to it (only its digest stored), the domain is verified and every
-- account at it joins as a member, now and when it is made later. A domain belongs to at
-- most one organisation once verified; a member who left is not joined again.
CREATE TABLE org_domains (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    domain       TEXT   NOT NULL,
    address      TEXT   NOT NULL,
    digest       TEXT   NOT NULL UNIQUE,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    verified_at  BIGINT,
    removed_at   BIGINT
);
CREATE INDEX org_domains_org ON org_domains(org_id, id);
CREATE UNIQUE INDEX org_domains_verified ON org_domains(domain)
    WHERE verified_at IS NOT NULL AND removed_at IS NULL;

-- An endpoint an organisation's admins registered receives only their organisation's
-- events (budget low, approval requested, statement ready); operators' endpoints have none.
ALTER TABLE webhook_endpoints ADD COLUMN org_id BIGINT REFERENCES organisations(id);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints(org_id, id);

-- What an organisation's admins are told once (by mail and to its endpoints): a month's
-- statement (`statement:2026-11`), a low budget (`budget-low:<funding>`), a booking to
-- approve (`approval:<booking>`). The row and the job that sends it are written together.
-- A retention comparison is recorded here too (`retention:<window>`, its figures in
-- `detail`, aggregates only), which keeps it to one per window.
CREATE TABLE org_notices (
    org_id    BIGINT NOT NULL REFERENCES organisations(id),
    notice    TEXT   NOT NULL,
    opened_at BIGINT NOT NULL,
    detail    TEXT,
    PRIMARY KEY (org_id, notice)
);

-- A budget funded by card: the price asked in ISO 4217 minor units, credited only when the
-- provider says the payment succeeded for that amount. Operators mark only invoices paid.
ALTER TABLE budget_fundings ADD COLUMN provider TEXT NOT NULL DEFAULT 'invoice'
    CHECK (provider IN ('invoice', 'stripe'));
ALTER TABLE budget_fundings ADD COLUMN price_minor BIGINT;
ALTER TABLE budget_fundings ADD COLUMN currency TEXT;

-- What a member lets their organisation see of them: figures about groups only (the
-- default), or also their own progress (sessions, checkpoints reached, skill gain, tasks);
-- never notes or answers. Changed by the member alone, taking effect at once.
ALTER TABLE org_members ADD COLUMN shares TEXT NOT NULL DEFAULT 'aggregates'
    CHECK (shares IN ('aggregates', 'progress'));
ALTER TABLE org_members ADD COLUMN shares_changed_at BIGINT;
