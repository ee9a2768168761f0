-- The generation of a profile's stored tokens: a new (random) one each time new tokens
-- are stored (a renewal, a re-authorization). A renewal remembers the generation it started
-- from and stores its result only if it is still the current one: a renewer held up
-- past its lease (a stopped process, a suspended machine) never writes over the tokens
-- another stored meanwhile (a fencing token).
ALTER TABLE profiles ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
