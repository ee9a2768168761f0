-- Whether the network said the access token never expires (Facebook's debug_token:
-- `expires_at: 0`). Without a deadline and without this, the expiry is unknown, and is
-- shown so, not as "never". Rows written before are unknown until the next check.
ALTER TABLE profiles ADD COLUMN expires_never INTEGER NOT NULL DEFAULT 0;
