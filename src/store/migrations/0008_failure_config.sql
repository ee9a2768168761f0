-- Why failing renewals failed, when it was the provider's configuration, which a
-- renewal tried again cannot fix: `credentials` (the client id or secret refused) or
-- `settings` (no client_id, a provider that cannot be set up). NULL otherwise. The fix
-- shown is then the configuration's, not `sbctl refresh`.
ALTER TABLE profiles ADD COLUMN failure_config TEXT;
