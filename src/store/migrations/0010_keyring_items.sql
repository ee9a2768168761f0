-- sbctl 0.3 keeps `secret_store = "keyring"` secrets in the secrets file, sealed with one
-- key kept in the OS keyring; 0.2 kept one keyring item per secret, which is now called
-- `keyring-items`. A database that remembers 0.2's keyring remembers it by its new name,
-- so that its secrets are found (and moved) where they are.
UPDATE meta SET value = 'keyring-items' WHERE key = 'secret_store' AND value = 'keyring';
