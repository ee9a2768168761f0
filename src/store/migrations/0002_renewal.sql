-- Renewal: who is renewing a profile right now, whether a renewal request was left in
-- flight, and which notifications went out.

-- While a renewal request is with the provider. Left set by a process that was killed
-- mid-request: the refresh token may have been used, so the next run checks it.
ALTER TABLE profiles ADD COLUMN renewal_started_at INTEGER;

-- One renewer per profile at a time, across processes. A lease that has expired (its
-- holder died) may be taken over.
CREATE TABLE leases (
    profile_id  TEXT PRIMARY KEY NOT NULL,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

-- The last time each profile was notified about each status.
CREATE TABLE notifications (
    profile_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (profile_id, status)
) STRICT;
