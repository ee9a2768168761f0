-- Profiles and their token metadata. Never a secret: tokens live in the secret store.
-- Times are Unix seconds (UTC).
CREATE TABLE profiles (
    id                      TEXT PRIMARY KEY NOT NULL,
    network                 TEXT NOT NULL,
    account_id              TEXT,
    account_name            TEXT,
    scopes                  TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    expires_at              INTEGER,
    issued_at               INTEGER,
    refresh_expires_at      INTEGER,
    data_access_expires_at  INTEGER,
    renewable               INTEGER NOT NULL DEFAULT 0,
    reauth_reason           TEXT,
    refresh_failed          INTEGER NOT NULL DEFAULT 0,
    last_error              TEXT,
    last_refreshed_at       INTEGER,
    last_checked_at         INTEGER,
    connected_by            TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;

CREATE INDEX profiles_network ON profiles (network, id);

-- Small facts about this database, such as which secret store `auto` settled on.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) STRICT;
