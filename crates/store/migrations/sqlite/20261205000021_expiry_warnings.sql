-- Credits about to expire are announced once per lot, 14 days before: `warned_at` says the
-- warning mail was queued (in the same transaction that set it).
ALTER TABLE credit_lots ADD COLUMN warned_at BIGINT;
CREATE INDEX credit_lots_expiry ON credit_lots(expires_at) WHERE remaining > 0;
