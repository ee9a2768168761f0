-- Renewals that failed in a row (for a passing reason) since the last success, and
-- since when: what a monitor alerts on (`sbctl metrics`) and what escalates a
-- `renewal_failing` notification, beside `refresh_failed`.
ALTER TABLE profiles ADD COLUMN renewal_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN failing_since INTEGER;
