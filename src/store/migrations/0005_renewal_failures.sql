-- Renewals that failed in a row (for a passing reason) since the last success: what a
-- monitor alerts on (`sbctl metrics`), beside `refresh_failed`.
ALTER TABLE profiles ADD COLUMN renewal_failures INTEGER NOT NULL DEFAULT 0;
