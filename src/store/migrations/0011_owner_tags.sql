-- Whom to contact about a profile (an e-mail address), and the team's labels for it
-- (a JSON object of key to value, as {"client": "acme"}). Set by `profiles edit`, `add`
-- and `import`; a renewal never writes them.
ALTER TABLE profiles ADD COLUMN owner TEXT;
ALTER TABLE profiles ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
CREATE INDEX profiles_owner ON profiles (owner) WHERE owner IS NOT NULL;
