-- A lease holder's machine and process as columns of their own, so that a process on
-- the same machine can see that a holder died without parsing its name. Leases taken
-- by older versions have neither and are waited out until they expire.
ALTER TABLE leases ADD COLUMN host TEXT;
ALTER TABLE leases ADD COLUMN pid INTEGER;
