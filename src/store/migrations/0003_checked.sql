-- Whether `reauth_reason` was set by an online check (a provider's answer about a
-- token), not by a refused renewal. Only such a mark is looked at again by the next
-- `check --online`, which clears it when the provider now says the token works.
ALTER TABLE profiles ADD COLUMN reauth_from_check INTEGER NOT NULL DEFAULT 0;
