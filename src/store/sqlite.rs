//! The local profile store: one SQLite file, WAL mode, migrated forward on open.

use super::{
    Adding, Channel, Holder, ListFilter, Notice, Order, ProfileStore, StoreError, StoreInfo,
};
use crate::domain::profile::{
    Misconfig, Profile, ProfileId, Reason, Standing, Tags, Timestamp, MAX_ACCOUNT_CHARS,
    MAX_ERROR_CHARS,
};
use chrono::DateTime;
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, Row};
use std::path::{Path, PathBuf};

/// Ordered schema migrations; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_profiles.sql"),
    include_str!("migrations/0002_renewal.sql"),
    include_str!("migrations/0003_checked.sql"),
    include_str!("migrations/0004_notify_channels.sql"),
    include_str!("migrations/0005_renewal_failures.sql"),
    include_str!("migrations/0006_lease_holder.sql"),
    include_str!("migrations/0007_expires_never.sql"),
    include_str!("migrations/0008_failure_config.sql"),
    include_str!("migrations/0009_token_version.sql"),
    include_str!("migrations/0010_keyring_items.sql"),
    include_str!("migrations/0011_owner_tags.sql"),
    include_str!("migrations/0012_login.sql"),
];

/// `PRAGMA application_id` of sbctl databases: "SBCT".
const APPLICATION_ID: i64 = 0x5342_4354;

/// How long a write waits for another sbctl process before giving up.
use crate::sqlite::BUSY_TIMEOUT;

macro_rules! columns {
    () => {
        "id, network, account_id, account_name, scopes, expires_at, issued_at, \
         refresh_expires_at, data_access_expires_at, renewable, reauth_reason, refresh_failed, \
         last_error, last_refreshed_at, last_checked_at, connected_by, created_at, updated_at, \
         renewal_started_at, reauth_from_check, renewal_failures, failing_since, expires_never, \
         failure_config, token_version, login_id, connected_at, owner, tags"
    };
}
const COLUMNS: &str = columns!();
/// How many `COLUMNS` there are (`bind` gives as many values).
const COLUMN_COUNT: usize = 29;
/// The last of them, owner and tags, are a person's to set (`set_labels`): `update`,
/// which a renewal makes, leaves them as they are.
const LABEL_COLUMNS: usize = 2;

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    version: i64,
    /// Files found readable by others and made private on open, with their old mode.
    pub repaired: Vec<(PathBuf, u32)>,
}

impl SqliteStore {
    /// Opens (creating on first use, mode 0600 in a 0700 directory) and migrates.
    /// A damaged, foreign or newer database is refused and never written to.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |reason: String| StoreError::Open {
            path: path.to_owned(),
            reason,
        };
        // Not even a sticky directory (as /tmp): another user could create SQLite's
        // log there first and read what is written to it.
        if let Some(problem) = crate::perms::open_dir(path, false) {
            return Err(StoreError::OpenDir {
                path: path.to_owned(),
                problem,
            });
        }
        if let Some(companion) = crate::sqlite::foreign_companion(path) {
            return Err(StoreError::NotOurs { path: companion });
        }
        crate::sqlite::create_private(path).map_err(|e| open_err(crate::error::io_reason(&e)))?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_err(crate::sqlite::reason(&e)))?;
        // Identified first: a file that is not sbctl's database is refused untouched.
        let mut store = Self::init(conn, path.to_owned())?;
        // No secret is in it, but account names and errors are nobody else's business.
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if let Some(mode) = crate::perms::make_private(&file)
                .map_err(|e| open_err(crate::error::io_reason(&e)))?
            {
                store.repaired.push((file, mode));
            }
        }
        Ok(store)
    }

    /// An in-memory database for unit tests.
    #[cfg(test)]
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().expect("in-memory SQLite opens");
        Self::init(conn, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Self, StoreError> {
        let mut store = SqliteStore {
            conn,
            path,
            version: 0,
            repaired: Vec::new(),
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        // The first statement to read the file is the one that finds it damaged.
        let (app_id, version, tables) =
            crate::sqlite::identity(&store.conn).map_err(|e| store.err(e))?;
        store.check_identity(app_id, version, tables)?;
        store.enable_wal()?;
        store.version = version;
        // NORMAL is crash-safe in WAL mode: a killed process loses nothing; only a power
        // cut may drop the last commits. Tokens, the part nobody can recreate, are
        // fsynced by the secret store before the row changes.
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| store.err(e))?;
        store
            .conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| store.err(e))?;
        store.migrate()?;
        Ok(store)
    }

    fn enable_wal(&self) -> Result<(), StoreError> {
        crate::sqlite::enable_wal(&self.conn).map_err(|e| self.err(e))
    }

    fn check_identity(&self, app_id: i64, version: i64, tables: i64) -> Result<(), StoreError> {
        let fresh = app_id == 0 && version == 0 && tables == 0;
        if !fresh && app_id != APPLICATION_ID {
            return Err(StoreError::Foreign {
                path: self.path.clone(),
            });
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        Ok(())
    }

    /// Applies the missing migrations in one transaction. `BEGIN IMMEDIATE` makes two
    /// processes opening a new database at once take turns; the second finds it done.
    fn migrate(&mut self) -> Result<(), StoreError> {
        // Up to date (the common case, and `token`'s hot path): no write lock is taken.
        if self.version == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&self.path, e))?;
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sql_err(&self.path, e))?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: current,
                known,
            });
        }
        for sql in &MIGRATIONS[current as usize..] {
            tx.execute_batch(sql).map_err(|e| sql_err(&self.path, e))?;
        }
        if current < known {
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| sql_err(&self.path, e))?;
            tx.pragma_update(None, "user_version", known)
                .map_err(|e| sql_err(&self.path, e))?;
        }
        tx.commit().map_err(|e| sql_err(&self.path, e))?;
        self.version = known;
        Ok(())
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sql_err(&self.path, e)
    }
}

fn sql_err(path: &Path, e: rusqlite::Error) -> StoreError {
    if crate::sqlite::disk_full(&e, path) {
        return StoreError::DiskFull {
            path: path.to_owned(),
        };
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        },
        _ => StoreError::Sql {
            path: path.to_owned(),
            reason: crate::sqlite::reason(&e),
        },
    }
}

fn time(secs: Option<i64>) -> Option<Timestamp> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn secs(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

/// What a profile is read from: a row, or the arguments of a function given the
/// same columns (`sbctl_order`, which sorts by a key computed from the profile).
trait Cells {
    fn get<T: rusqlite::types::FromSql>(&self, i: usize) -> rusqlite::Result<T>;
}

impl Cells for Row<'_> {
    fn get<T: rusqlite::types::FromSql>(&self, i: usize) -> rusqlite::Result<T> {
        Row::get(self, i)
    }
}

impl Cells for rusqlite::functions::Context<'_> {
    fn get<T: rusqlite::types::FromSql>(&self, i: usize) -> rusqlite::Result<T> {
        rusqlite::functions::Context::get(self, i)
    }
}

fn row_to_profile(r: &impl Cells) -> rusqlite::Result<Profile> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let id: String = r.get(0)?;
    let scopes: String = r.get(4)?;
    let reason: Option<String> = r.get(10)?;
    let reason = reason
        .map(|s| Reason::parse(&s).ok_or_else(|| bad(10, format!("unknown reason {s}"))))
        .transpose()?;
    let updated_at = time(r.get(17)?).unwrap_or_default();
    // The columns of one `Standing`: a person's mark first, as the status always read
    // them; a failure recorded before schema 5 counts once, since its last update.
    let standing = match (reason, r.get::<bool>(11)?) {
        (Some(reason), _) => Standing::NeedsReauth {
            reason,
            from_check: r.get(19)?,
        },
        (None, true) => Standing::RefreshFailed {
            failures: r.get::<u32>(20)?.max(1),
            since: time(r.get(21)?).unwrap_or(updated_at),
            config: r
                .get::<Option<String>>(23)?
                .map(|c| {
                    Misconfig::parse(&c)
                        .ok_or_else(|| bad(23, format!("unknown failure_config {c}")))
                })
                .transpose()?,
        },
        (None, false) => Standing::Usable,
    };
    Ok(Profile {
        id: ProfileId::parse(&id).map_err(|e| bad(0, e))?,
        network: r.get(1)?,
        account_id: r.get(2)?,
        account_name: r.get(3)?,
        scopes: if scopes == "[]" {
            Vec::new()
        } else {
            serde_json::from_str(&scopes).map_err(|e| bad(4, e.to_string()))?
        },
        expires_at: time(r.get(5)?),
        expires_never: r.get(22)?,
        issued_at: time(r.get(6)?),
        refresh_expires_at: time(r.get(7)?),
        data_access_expires_at: time(r.get(8)?),
        renewable: r.get(9)?,
        standing,
        last_error: r.get(12)?,
        last_refreshed_at: time(r.get(13)?),
        last_checked_at: time(r.get(14)?),
        connected_by: r.get(15)?,
        created_at: time(r.get(16)?).unwrap_or_default(),
        updated_at,
        renewal_started_at: time(r.get(18)?),
        token_version: r.get::<i64>(24)? as u64,
        login_id: r.get(25)?,
        connected_at: time(r.get(26)?),
        owner: r.get(27)?,
        tags: serde_json::from_str(&r.get::<String>(28)?).map_err(|e| bad(28, e.to_string()))?,
    })
}

/// The values of `COLUMNS` for one profile, in order.
fn bind(p: &Profile) -> [rusqlite::types::Value; COLUMN_COUNT] {
    use rusqlite::types::Value as V;
    let text = |s: &Option<String>| s.clone().map_or(V::Null, V::Text);
    // What a provider sent is stored within bounds, however much it sent.
    let capped = |s: &Option<String>, max| {
        s.as_deref().map_or(V::Null, |t| {
            V::Text(crate::domain::profile::capped(t, max).into_owned())
        })
    };
    let int = |t: Option<Timestamp>| secs(t).map_or(V::Null, V::Integer);
    let (reason, from_check, failures, since, config) = match p.standing {
        Standing::Usable => (None, false, None, None, None),
        Standing::RefreshFailed {
            failures,
            since,
            config,
        } => (None, false, Some(failures), Some(since), config),
        Standing::NeedsReauth { reason, from_check } => {
            (Some(reason), from_check, None, None, None)
        }
    };
    [
        V::Text(p.id.as_str().to_owned()),
        V::Text(p.network.clone()),
        capped(&p.account_id, MAX_ACCOUNT_CHARS),
        capped(&p.account_name, MAX_ACCOUNT_CHARS),
        V::Text(serde_json::to_string(&p.scopes).expect("strings serialize")),
        int(p.expires_at),
        int(p.issued_at),
        int(p.refresh_expires_at),
        int(p.data_access_expires_at),
        V::Integer(p.renewable.into()),
        reason.map_or(V::Null, |r| V::Text(r.as_str().to_owned())),
        V::Integer(failures.is_some().into()),
        capped(&p.last_error, MAX_ERROR_CHARS),
        int(p.last_refreshed_at),
        int(p.last_checked_at),
        text(&p.connected_by),
        V::Integer(p.created_at.timestamp()),
        V::Integer(p.updated_at.timestamp()),
        int(p.renewal_started_at),
        V::Integer(from_check.into()),
        V::Integer(failures.unwrap_or(0).into()),
        int(since),
        V::Integer(p.expires_never.into()),
        config.map_or(V::Null, |c| V::Text(c.as_str().to_owned())),
        V::Integer(p.token_version as i64),
        text(&p.login_id),
        int(p.connected_at),
        text(&p.owner),
        V::Text(serde_json::to_string(&p.tags).expect("strings serialize")),
    ]
}

/// Profiles added in one transaction (see `ProfileStore::adding`).
struct SqliteAdding<'a> {
    store: &'a mut SqliteStore,
    committed: bool,
}

impl Adding for SqliteAdding<'_> {
    fn add(&mut self, p: &Profile) -> Result<(), StoreError> {
        let sql = concat!("INSERT INTO profiles (", columns!(), ") VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)");
        let s = &*self.store;
        let mut stmt = s.conn.prepare_cached(sql).map_err(|e| s.err(e))?;
        match stmt.execute(rusqlite::params_from_iter(bind(p))) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Err(StoreError::Duplicate(p.id.clone()))
            }
            Err(e) => Err(s.err(e)),
        }
    }

    fn replace(&mut self, p: &Profile, now: Timestamp) -> Result<bool, StoreError> {
        let s = &*self.store;
        let err = |e| s.err(e);
        // The ids of this batch, on disk: a file of a million records is not held in
        // memory. Gone with the transaction.
        s.conn
            .execute_batch("CREATE TEMP TABLE IF NOT EXISTS batch_ids (id TEXT PRIMARY KEY)")
            .map_err(err)?;
        let seen = s
            .conn
            .prepare_cached("INSERT OR IGNORE INTO temp.batch_ids (id) VALUES (?1)")
            .and_then(|mut st| st.execute([p.id.as_str()]))
            .map_err(err)?;
        if seen == 0 {
            return Err(StoreError::Duplicate(p.id.clone()));
        }
        let leased: bool = s
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM leases WHERE profile_id = ?1 AND expires_at > ?2)",
            )
            .and_then(|mut st| st.query_row(params![p.id.as_str(), now.timestamp()], |r| r.get(0)))
            .map_err(err)?;
        if leased {
            return Err(StoreError::Renewing(p.id.clone()));
        }
        let existed: bool = s
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM profiles WHERE id = ?1)")
            .and_then(|mut st| st.query_row([p.id.as_str()], |r| r.get(0)))
            .map_err(err)?;
        let kept = ["id", "created_at"];
        let set: Vec<String> = COLUMNS
            .split(',')
            .map(str::trim)
            .filter(|c| !kept.contains(c))
            .map(|c| match c {
                // A person's labels stay unless the record gives others.
                "owner" => "owner = COALESCE(excluded.owner, profiles.owner)".to_owned(),
                "tags" => {
                    "tags = CASE excluded.tags WHEN '{}' THEN profiles.tags ELSE excluded.tags END"
                        .to_owned()
                }
                c => format!("{c} = excluded.{c}"),
            })
            .collect();
        let placeholders: Vec<String> = (1..=COLUMN_COUNT).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO profiles ({COLUMNS}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
            placeholders.join(", "),
            set.join(", ")
        );
        s.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.execute(rusqlite::params_from_iter(bind(p))))
            .map_err(err)?;
        Ok(existed)
    }

    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let s = &*self.store;
        s.conn
            .execute_batch("DROP TABLE IF EXISTS temp.batch_ids; COMMIT")
            .map_err(|e| s.err(e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for SqliteAdding<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
    }
}

impl ProfileStore for SqliteStore {
    fn each(&self, filter: &ListFilter, f: &mut dyn FnMut(Profile)) -> Result<(), StoreError> {
        let order = match &filter.order {
            Order::Id => "id",
            Order::Network => "network, id",
            Order::Key(key) => {
                // SQLite sorts by the key as it reads (spilling to temporary files
                // past its cache), so a sorted million never sits in sbctl's memory.
                let key = key.clone();
                self.conn
                    .create_scalar_function(
                        "sbctl_order",
                        COLUMN_COUNT as i32,
                        // Direct only: no trigger or view in a planted file can call it.
                        FunctionFlags::SQLITE_UTF8
                            | FunctionFlags::SQLITE_DETERMINISTIC
                            | FunctionFlags::SQLITE_DIRECTONLY,
                        move |cells| row_to_profile(&*cells).map(|p| key(&p)),
                    )
                    .map_err(|e| self.err(e))?;
                concat!("sbctl_order(", columns!(), "), id")
            }
        };
        // A page starts with a seek in the id index: `id > ?` stands alone (an `OR` with
        // it would make every page read the table from its start).
        let after = if filter.after.is_some() {
            "AND id > ?2"
        } else {
            "AND ?2 IS NULL"
        };
        // Owner and tags only when asked: the plain read stays a plain read.
        // E-mail addresses are written in any case.
        let owner = if filter.owner.is_some() {
            "AND owner = ?4 COLLATE NOCASE"
        } else {
            "AND ?4 IS NULL"
        };
        let tags = if filter.tags.is_empty() {
            "AND ?5 IS NULL"
        } else {
            "AND NOT EXISTS (SELECT 1 FROM json_each(?5) AS want \
             WHERE json_extract(profiles.tags, '$.\"' || want.key || '\"') IS NOT want.value)"
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM profiles WHERE (?1 IS NULL OR network = ?1) {after} \
             {owner} {tags} ORDER BY {order} LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let after = filter.after.as_ref().map(|id| id.as_str());
        let limit = filter.limit.map_or(-1, i64::from);
        let wanted = (!filter.tags.is_empty())
            .then(|| serde_json::to_string(&filter.tags).expect("strings serialize"));
        let rows = stmt
            .query_map(
                params![filter.network, after, limit, filter.owner, wanted],
                |r| row_to_profile(r),
            )
            .map_err(|e| self.err(e))?;
        for row in rows {
            f(row.map_err(|e| self.err(e))?);
        }
        Ok(())
    }

    fn networks(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT DISTINCT network FROM profiles ORDER BY network")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }

    fn get(&self, id: &ProfileId) -> Result<Option<Profile>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM profiles WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([id.as_str()], |r| row_to_profile(r)).optional())
            .map_err(|e| self.err(e))
    }

    fn insert(&mut self, profiles: &[Profile]) -> Result<(), StoreError> {
        let mut adding = self.adding()?;
        for p in profiles {
            adding.add(p)?;
        }
        adding.commit()
    }

    fn adding(&mut self) -> Result<Box<dyn Adding + '_>, StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        Ok(Box::new(SqliteAdding {
            store: self,
            committed: false,
        }))
    }

    fn update(&mut self, p: &Profile) -> Result<(), StoreError> {
        let sql = "UPDATE profiles SET network = ?2, account_id = ?3, account_name = ?4, \
            scopes = ?5, expires_at = ?6, issued_at = ?7, refresh_expires_at = ?8, \
            data_access_expires_at = ?9, renewable = ?10, reauth_reason = ?11, \
            refresh_failed = ?12, last_error = ?13, last_refreshed_at = ?14, \
            last_checked_at = ?15, connected_by = ?16, created_at = ?17, updated_at = ?18, \
            renewal_started_at = ?19, reauth_from_check = ?20, renewal_failures = ?21, failing_since = ?22, expires_never = ?23, failure_config = ?24, token_version = ?25, login_id = ?26, connected_at = ?27 WHERE id = ?1";
        let values = bind(p).into_iter().take(COLUMN_COUNT - LABEL_COLUMNS);
        let n = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(rusqlite::params_from_iter(values)))
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound(p.id.clone()));
        }
        Ok(())
    }

    fn edit_labels(
        &mut self,
        id: &ProfileId,
        change: &mut dyn FnMut(&mut Option<String>, &mut Tags),
    ) -> Result<Option<Profile>, StoreError> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        // Read and written in one transaction: two edits at once lose neither's change.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let sql = format!("SELECT {COLUMNS} FROM profiles WHERE id = ?1");
        let found = tx
            .query_row(&sql, [id.as_str()], |r| row_to_profile(r))
            .optional()
            .map_err(err)?;
        let Some(mut p) = found else {
            return Ok(None);
        };
        change(&mut p.owner, &mut p.tags);
        let tags = serde_json::to_string(&p.tags).expect("strings serialize");
        tx.execute(
            "UPDATE profiles SET owner = ?2, tags = ?3 WHERE id = ?1",
            params![id.as_str(), p.owner, tags],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Some(p))
    }

    fn delete(&mut self, id: &ProfileId) -> Result<bool, StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        let result = (|| {
            for table in ["leases", "notifications"] {
                self.conn.execute(
                    &format!("DELETE FROM {table} WHERE profile_id = ?1"),
                    [id.as_str()],
                )?;
            }
            self.conn
                .execute("DELETE FROM profiles WHERE id = ?1", [id.as_str()])
        })();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(|e| self.err(e))?;
        result.map(|n| n > 0).map_err(|e| self.err(e))
    }

    fn take_lease(
        &mut self,
        id: &ProfileId,
        holder: &Holder,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let name = holder.name();
        // One statement, so two processes cannot both see the lease free.
        let taken = self
            .conn
            .execute(
                "INSERT INTO leases (profile_id, holder, expires_at, host, pid) \
                 VALUES (?1, ?2, ?4, ?5, ?6) \
                 ON CONFLICT (profile_id) DO UPDATE SET holder = ?2, expires_at = ?4, \
                 host = ?5, pid = ?6 \
                 WHERE leases.expires_at <= ?3 OR leases.holder = ?2",
                params![
                    id.as_str(),
                    name,
                    now.timestamp(),
                    until.timestamp(),
                    holder.host,
                    holder.pid
                ],
            )
            .map_err(|e| self.err(e))?
            == 1;
        if taken {
            return Ok(true);
        }
        // A holder on this machine whose process is gone (killed) need not be waited
        // for: take its lease over, if it is still the one holding it.
        let current: Option<(String, Option<String>, Option<u32>)> = self
            .conn
            .query_row(
                "SELECT holder, host, pid FROM leases WHERE profile_id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        match current {
            Some((old, host, pid)) if Holder::is_gone(host.as_deref(), pid) => self
                .conn
                .execute(
                    "UPDATE leases SET holder = ?2, expires_at = ?3, host = ?5, pid = ?6 \
                     WHERE profile_id = ?1 AND holder = ?4",
                    params![
                        id.as_str(),
                        name,
                        until.timestamp(),
                        old,
                        holder.host,
                        holder.pid
                    ],
                )
                .map(|n| n == 1)
                .map_err(|e| self.err(e)),
            _ => Ok(false),
        }
    }

    fn release_lease(&mut self, id: &ProfileId, holder: &Holder) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM leases WHERE profile_id = ?1 AND holder = ?2",
                [id.as_str(), &holder.name()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn holds_lease(&self, id: &ProfileId, holder: &Holder) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM leases WHERE profile_id = ?1 AND holder = ?2)",
                [id.as_str(), &holder.name()],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn notified_at(
        &self,
        id: &ProfileId,
        notice: Notice,
        channel: Channel,
    ) -> Result<Option<Timestamp>, StoreError> {
        self.conn
            .query_row(
                "SELECT sent_at FROM notifications WHERE profile_id = ?1 AND status = ?2 AND channel = ?3",
                [id.as_str(), &notice.key(), channel.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(time)
            .map_err(|e| self.err(e))
    }

    fn was_notified(&self, id: &ProfileId, channel: Channel) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM notifications WHERE profile_id = ?1 AND channel = ?2)",
                [id.as_str(), channel.as_str()],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn notified_profiles(&self) -> Result<std::collections::HashSet<ProfileId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT profile_id FROM notifications")
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .filter_map(|id| id.ok().and_then(|id| ProfileId::parse(&id).ok()))
            .collect();
        Ok(ids)
    }

    fn clear_notified(&mut self, id: &ProfileId) -> Result<(), StoreError> {
        self.conn
            .execute(
                "DELETE FROM notifications WHERE profile_id = ?1",
                [id.as_str()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn set_notified(
        &mut self,
        id: &ProfileId,
        (notice, channel): (Notice, Channel),
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO notifications (profile_id, status, channel, sent_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (profile_id, status, channel) DO UPDATE SET sent_at = excluded.sent_at",
                params![id.as_str(), notice.key(), channel.as_str(), at.timestamp()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn describe(&self) -> StoreInfo {
        StoreInfo {
            location: self.path.display().to_string(),
            schema_version: self.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use chrono::{TimeZone, Utc};

    /// Every profile the filter lets through, in its order.
    fn list(store: &SqliteStore, filter: &ListFilter) -> Result<Vec<Profile>, StoreError> {
        let mut all = Vec::new();
        store.each(filter, &mut |p| all.push(p))?;
        Ok(all)
    }

    fn sample(id: &str) -> Profile {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let mut p = Profile::new(ProfileId::parse(id).unwrap(), "x".into(), now);
        p.scopes = vec!["tweet.read".into(), "offline.access".into()];
        p.expires_at = Some(now + chrono::TimeDelta::hours(2));
        p.renewable = true;
        p.needs_reauth(Reason::Revoked);
        p.account_name = Some("@acme".into());
        p
    }

    #[test]
    fn profiles_round_trip() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let a = sample("a");
        store.insert(&[a.clone(), sample("b")]).unwrap();
        assert_eq!(store.get(&a.id).unwrap(), Some(a.clone()));
        let ids: Vec<_> = list(&store, &ListFilter::default())
            .unwrap()
            .into_iter()
            .map(|p| p.id.to_string())
            .collect();
        assert_eq!(ids, ["a", "b"]);
        let mut changed = a.clone();
        changed.standing = Standing::RefreshFailed {
            failures: 2,
            since: changed.updated_at,
            config: Some(Misconfig::Credentials),
        };
        changed.last_error = Some("boom".into());
        store.update(&changed).unwrap();
        assert_eq!(store.get(&a.id).unwrap(), Some(changed));
        assert!(store.delete(&a.id).unwrap());
        assert!(!store.delete(&a.id).unwrap());
        assert!(matches!(store.update(&a), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn insert_is_all_or_nothing() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        store.insert(&[sample("b")]).unwrap();
        let err = store
            .insert(&[sample("a"), sample("b"), sample("c")])
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(ref id) if id.as_str() == "b"));
        assert_eq!(list(&store, &ListFilter::default()).unwrap().len(), 1);
    }

    #[test]
    fn network_filter() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut fb = sample("fb");
        fb.network = "facebook".into();
        store.insert(&[fb, sample("x1")]).unwrap();
        let only = list(
            &store,
            &ListFilter {
                network: Some("facebook".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].id.as_str(), "fb");
    }

    #[test]
    fn orders_by_network_or_by_a_key_computed_from_each_profile() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let mut profiles: Vec<Profile> = ["a", "b", "c", "d"].into_iter().map(sample).collect();
        profiles[0].network = "y".into();
        profiles[1].network = "x".into();
        profiles[2].network = "y".into();
        profiles[3].network = "x".into();
        store.insert(&profiles).unwrap();
        let ids = |order: Order| -> Vec<String> {
            let filter = ListFilter {
                order,
                ..Default::default()
            };
            list(&store, &filter)
                .unwrap()
                .into_iter()
                .map(|p| p.id.to_string())
                .collect()
        };
        assert_eq!(ids(Order::Id), ["a", "b", "c", "d"]);
        assert_eq!(ids(Order::Network), ["b", "d", "a", "c"]);
        // The key sees the whole profile; ties keep id order.
        let by_key = Order::Key(std::sync::Arc::new(|p: &Profile| match p.id.as_str() {
            "c" => 0,
            "a" => 2,
            _ => 1,
        }));
        assert_eq!(ids(by_key), ["c", "b", "d", "a"]);
    }

    #[test]
    fn pages_follow_each_other_in_id_order() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let profiles: Vec<Profile> = ["e", "a", "d", "b", "c"].into_iter().map(sample).collect();
        store.insert(&profiles).unwrap();
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = list(&store, &ListFilter::page(after.take(), 2)).unwrap();
            after = page.last().map(|p| p.id.clone());
            seen.push(page.iter().map(|p| p.id.to_string()).collect::<Vec<_>>());
            if page.len() < 2 {
                break;
            }
        }
        assert_eq!(seen, [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
    }

    #[test]
    fn an_adding_batch_dropped_before_commit_adds_nothing() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        {
            let mut adding = store.adding().unwrap();
            adding.add(&sample("a")).unwrap();
            assert!(matches!(
                adding.add(&sample("a")),
                Err(StoreError::Duplicate(_))
            ));
        }
        assert!(list(&store, &ListFilter::default()).unwrap().is_empty());
        let mut adding = store.adding().unwrap();
        adding.add(&sample("b")).unwrap();
        adding.commit().unwrap();
        assert_eq!(list(&store, &ListFilter::default()).unwrap().len(), 1);
    }

    #[test]
    fn leases_exclude_other_holders_until_they_expire() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let p = sample("a");
        store.insert(std::slice::from_ref(&p)).unwrap();
        let t = p.created_at;
        let later = |s| t + chrono::TimeDelta::seconds(s);
        let (one, two) = (&Holder::this_process(), &Holder::this_process());
        let expiring = Notice::Status(crate::domain::profile::Status::Expiring);
        assert!(store.take_lease(&p.id, one, t, later(60)).unwrap());
        assert!(!store.take_lease(&p.id, two, later(59), later(120)).unwrap());
        assert!(
            store.take_lease(&p.id, one, later(1), later(61)).unwrap(),
            "renewable by its holder"
        );
        assert!(
            store.take_lease(&p.id, two, later(61), later(120)).unwrap(),
            "expired: taken over"
        );
        store.release_lease(&p.id, one).unwrap();
        assert!(
            !store.take_lease(&p.id, one, later(62), later(120)).unwrap(),
            "not released by a non-holder"
        );
        store.release_lease(&p.id, two).unwrap();
        assert!(store.take_lease(&p.id, one, later(62), later(120)).unwrap());
        assert_eq!(
            store
                .notified_at(&p.id, expiring, Channel::Command)
                .unwrap(),
            None
        );
        store
            .set_notified(&p.id, (expiring, Channel::Command), later(5))
            .unwrap();
        assert_eq!(
            store
                .notified_at(&p.id, expiring, Channel::Command)
                .unwrap(),
            Some(later(5))
        );
        assert_eq!(
            store
                .notified_at(&p.id, expiring, Channel::Webhook)
                .unwrap(),
            None,
            "each channel on its own"
        );
        assert!(store.delete(&p.id).unwrap());
        assert_eq!(
            store
                .notified_at(&p.id, expiring, Channel::Command)
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_dead_holders_lease_is_taken_over_at_once() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let p = sample("a");
        store.insert(std::slice::from_ref(&p)).unwrap();
        let t = p.created_at;
        let until = t + chrono::TimeDelta::seconds(600);
        let with_pid = |host: &str, pid| Holder {
            host: host.into(),
            pid,
            ..Holder::this_process()
        };
        let here = crate::perms::hostname();
        // No process has pid 0x7fffffff here (pid_max is lower).
        let dead = with_pid(&here, 2_147_483_647);
        let alive = Holder::this_process();
        assert!(store.take_lease(&p.id, &dead, t, until).unwrap());
        assert!(
            store.take_lease(&p.id, &alive, t, until).unwrap(),
            "dead holder replaced"
        );
        assert!(
            !store
                .take_lease(&p.id, &with_pid(&here, 1), t, until)
                .unwrap(),
            "live holder kept"
        );
        let elsewhere = with_pid("elsewhere", 2_147_483_647);
        assert!(!store.take_lease(&p.id, &elsewhere, t, until).unwrap());
        // A lease taken by an older sbctl names no host or pid: waited out.
        store
            .conn
            .execute(
                "UPDATE leases SET host = NULL, pid = NULL, holder = 'old'",
                [],
            )
            .unwrap();
        assert!(!store.take_lease(&p.id, &alive, t, until).unwrap());
    }

    #[test]
    fn meta_values() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        assert_eq!(store.meta("k").unwrap(), None);
        store.set_meta("k", "1").unwrap();
        store.set_meta("k", "2").unwrap();
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("2"));
        assert_eq!(store.describe().schema_version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn newer_and_foreign_databases_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.db");
        SqliteStore::open(&newer).unwrap();
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&newer),
            Err(StoreError::TooNew { found: 99, .. })
        ));
        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(matches!(
            SqliteStore::open(&foreign),
            Err(StoreError::Foreign { .. })
        ));
    }
}
