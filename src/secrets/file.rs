//! The file secret store: `secrets.db`, an SQLite database of its own (mode 0600, in a
//! directory only its owner can write to, WAL), one row per secret. Reading one costs
//! the same among 1,000 and 1,000,000 entries, and a write costs what it changes.
//!
//! Every value is sealed on its own (envelope encryption) when there is a key to seal
//! with: a random 256-bit data key encrypts each value with XChaCha20-Poly1305 and the
//! value's name as associated data, so that opening one value opens no other, and a
//! value moved to another name does not open. The data key itself is kept in the OS
//! keyring, one item (`secret_store = "keyring"`: the file records the item's name,
//! and schema 2 keeps older sbctl out), or in the file sealed with age to the
//! recipient of an age key (`SBCTL_SECRETS_KEY_FILE`, `SBCTL_SECRETS_KEY` or
//! `secrets_key_file`). Rotating the
//! age key (`sbctl secrets rekey`) makes a new data key and seals every value again
//! with it, in one transaction: the old key opens nothing written afterwards. Values
//! stored before a key was set are sealed at the next write; once a value is sealed, a
//! plain one beside it can only have been planted, and is refused.
//!
//! The `secrets.json` of older versions (plain or age-encrypted) is moved in on first
//! use, in one transaction that also records which file it was: killed at any point,
//! the next run finds every secret in the old file or the new one. The old file is
//! removed once every secret reads back from the new one.

use super::keyring::KeyringStore;
use super::legacy;
use super::{check_owner_and_mode, not_ours, SecretError, SecretStore};
use crate::domain::token::Secret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::cell::{Cell, RefCell};
use std::fs::{self, OpenOptions};
use std::path::PathBuf;

pub use super::key::Key;

/// `PRAGMA application_id` of a secrets database ("SBCS").
const APPLICATION_ID: i64 = 0x5342_4353;
const SCHEMA_VERSION: i64 = 1;
/// A file whose data key is in the OS keyring: sbctl before 0.3 would take its sealed
/// values for damaged ones, so it is told the file is newer instead.
const KEYRING_SCHEMA_VERSION: i64 = 2;
const SCHEMA: &str = "
    CREATE TABLE secrets (
        name    TEXT PRIMARY KEY NOT NULL,
        value   BLOB NOT NULL,
        sealed  INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    -- The values stored plain (before a key was set): sealed at the next keyed write.
    CREATE INDEX plain ON secrets (name) WHERE sealed = 0;
    -- data_key: the data key, sealed with age; keyring_key: the name of the OS keyring
    -- item that holds it instead; migrated_from: the old file moved in;
    -- moved_from_keyring_items: the keyring's items were copied in ('copied'), and
    -- removed ('done').
    CREATE TABLE meta (
        name   TEXT PRIMARY KEY NOT NULL,
        value  BLOB NOT NULL
    ) STRICT;
";
/// The states of a move from keyring items (meta `moved_from_keyring_items`).
const MOVE_COPIED: &[u8] = b"copied";
const MOVE_DONE: &[u8] = b"done";
/// XChaCha20's nonce: random, so no counter needs to be kept.
const NONCE_LEN: usize = 24;

/// What keeps the data key: nothing yet (values are stored plain), an age key, or
/// the OS keyring.
enum Sealing {
    Plain,
    Age(Key),
    Keyring(KeyringStore),
}

pub struct FileStore {
    path: PathBuf,
    sealing: Sealing,
    /// Opened at the first use: a command that reads no secret creates no file.
    conn: RefCell<Option<Connection>>,
    /// The data key, once unsealed.
    data_key: Cell<Option<chacha20poly1305::Key>>,
    /// Values were sealed anew in this write (plain ones, or all at a rekey): their
    /// old pages leave the log at once.
    resealed: Cell<bool>,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        FileStore {
            path,
            sealing: Sealing::Plain,
            conn: RefCell::new(None),
            data_key: Cell::new(None),
            resealed: Cell::new(false),
        }
    }

    /// Seals values with a data key sealed with the age `key` from the next write on.
    pub fn with_key(mut self, key: Option<Key>) -> Self {
        self.sealing = key.map_or(Sealing::Plain, Sealing::Age);
        self
    }

    /// Seals values with a data key kept in the OS keyring from the next write on.
    pub fn in_keyring(mut self, keyring: KeyringStore) -> Self {
        self.sealing = Sealing::Keyring(keyring);
        self
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Where older versions kept the secrets: the same name, `.json`.
    pub fn legacy_path(&self) -> PathBuf {
        self.path.with_extension("json")
    }

    fn io(&self, action: &'static str, e: &std::io::Error) -> SecretError {
        SecretError::Io {
            action,
            path: self.path.clone(),
            reason: crate::error::io_reason(e),
        }
    }

    fn sql(&self, e: rusqlite::Error) -> SecretError {
        use rusqlite::ErrorCode as C;
        let reason = if crate::sqlite::disk_full(&e, &self.path) {
            "the disk is full".into()
        } else {
            crate::sqlite::reason(&e)
        };
        match e.sqlite_error_code() {
            Some(C::NotADatabase | C::DatabaseCorrupt) => SecretError::Corrupt {
                path: self.path.clone(),
                reason: "not an SQLite database".into(),
            },
            _ => SecretError::Io {
                action: "write",
                path: self.path.clone(),
                reason,
            },
        }
    }

    /// Runs `f` on the database, opening it first. Without the file, `create` makes
    /// it; otherwise there is nothing to read and `f` is not run (`None`).
    fn with<T>(
        &self,
        create: bool,
        f: impl FnOnce(&mut Connection) -> Result<T, SecretError>,
    ) -> Result<Option<T>, SecretError> {
        if self.conn.borrow().is_none() {
            match self.open(create)? {
                Some(conn) => *self.conn.borrow_mut() = Some(conn),
                None => return Ok(None),
            }
        }
        let mut conn = self.conn.borrow_mut();
        f(conn.as_mut().expect("opened above")).map(Some)
    }

    /// Refuses a directory others can write to, even a sticky one (as /tmp): SQLite's
    /// companions (`-wal`, `-shm`) have names anyone could take there first.
    fn check_dir(&self) -> Result<(), SecretError> {
        match crate::perms::open_dir(&self.path, false) {
            Some(problem) => Err(SecretError::OpenDir {
                path: self.path.clone(),
                problem,
            }),
            None => Ok(()),
        }
    }

    /// Opens the database: only in a directory others cannot write to, only a file of
    /// our own that others cannot read, never through a link.
    fn open(&self, create: bool) -> Result<Option<Connection>, SecretError> {
        self.check_dir()?;
        if create {
            crate::sqlite::create_private(&self.path).map_err(|e| self.io("create", &e))?;
        }
        let file = match crate::perms::open_nofollow(&self.path, OpenOptions::new().read(true)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(not_ours(&self.path, None))
            }
            Err(e) => return Err(self.io("read", &e)),
        };
        let meta = file.metadata().map_err(|e| self.io("read", &e))?;
        check_owner_and_mode(&self.path, &meta)?;
        if let Some(companion) = crate::sqlite::foreign_companion(&self.path) {
            return Err(not_ours(&companion, None));
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(|e| self.sql(e))?;
        conn.busy_timeout(crate::sqlite::BUSY_TIMEOUT)
            .map_err(|e| self.sql(e))?;
        self.identify(&conn)?;
        crate::sqlite::enable_wal(&conn).map_err(|e| self.sql(e))?;
        // A stored token is the one thing nobody can make again: every commit reaches
        // the disk before sbctl goes on.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.sql(e))?;
        // Renewals rewrite rows of the same size: SQLite reuses their pages, and the
        // write-ahead log is checkpointed often and kept small, so that the file does
        // not grow with the number of renewals.
        conn.pragma_update(None, "wal_autocheckpoint", 64)
            .map_err(|e| self.sql(e))?;
        conn.pragma_update(None, "journal_size_limit", 256 * 1024)
            .map_err(|e| self.sql(e))?;
        // Space a value leaves is overwritten with zeros, not left readable.
        conn.pragma_update(None, "secure_delete", true)
            .map_err(|e| self.sql(e))?;
        Ok(Some(conn))
    }

    /// Refuses a file that is not a secrets database of this version; creates the
    /// tables in a new one.
    fn identify(&self, conn: &Connection) -> Result<(), SecretError> {
        let (app_id, version, tables) = crate::sqlite::identity(conn).map_err(|e| self.sql(e))?;
        let corrupt = |reason: String| SecretError::Corrupt {
            path: self.path.clone(),
            reason,
        };
        match (app_id, version, tables) {
            (APPLICATION_ID, SCHEMA_VERSION | KEYRING_SCHEMA_VERSION, _) => Ok(()),
            (APPLICATION_ID, v, _) if v > KEYRING_SCHEMA_VERSION => Err(corrupt(format!(
                "written by a newer sbctl (schema {v}); upgrade sbctl"
            ))),
            (0, 0, 0) => conn
                .execute_batch(&format!(
                    "BEGIN IMMEDIATE; \
                     SELECT CASE WHEN (SELECT count(*) FROM sqlite_master) = 0 THEN 1 END; \
                     {SCHEMA} \
                     PRAGMA application_id = {APPLICATION_ID}; \
                     PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                ))
                .or_else(|e| {
                    // Another process made it first: it is ours all the same.
                    let _ = conn.execute_batch("ROLLBACK");
                    match conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0)) {
                        Ok(APPLICATION_ID) => Ok(()),
                        _ => Err(e),
                    }
                })
                .map_err(|e| self.sql(e)),
            _ => Err(corrupt("not sbctl's secrets database".into())),
        }
    }

    /// Before a write that may make the data key in the keyring: the name of the item
    /// it will be kept in, chosen at random and committed first (meta
    /// `keyring_key_pending`). A run killed after writing the item, before its own
    /// commit, leaves that name behind: the next run takes the item up again instead of
    /// leaving it in the keyring beside a new one, and no other file uses the name.
    fn name_keyring_key(&self) -> Result<(), SecretError> {
        if !matches!(self.sealing, Sealing::Keyring(_)) || self.data_key.get().is_some() {
            return Ok(());
        }
        self.with(true, |conn| {
            let named = |conn: &Connection| -> Result<bool, SecretError> {
                let has = |name| meta(conn, name).map(|v| v.is_some());
                Ok(has("keyring_key").map_err(|e| self.sql(e))?
                    || has("data_key").map_err(|e| self.sql(e))?
                    || has("keyring_key_pending").map_err(|e| self.sql(e))?)
            };
            if named(conn)? {
                return Ok(());
            }
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.sql(e))?;
            if !named(&tx)? {
                let item = format!("secrets-key:{:032x}", rand::random::<u128>());
                tx.execute(
                    "INSERT INTO meta (name, value) VALUES ('keyring_key_pending', ?1)",
                    [item.as_bytes()],
                )
                .map_err(|e| self.sql(e))?;
            }
            tx.commit().map_err(|e| self.sql(e))
        })
        .map(|done| done.expect("created on write"))
    }

    /// The data key, unsealed with the age key or read from the keyring; `None` while
    /// nothing is sealed.
    fn data_key(&self, conn: &Connection) -> Result<Option<chacha20poly1305::Key>, SecretError> {
        if let Some(k) = self.data_key.get() {
            return Ok(Some(k));
        }
        let path = || self.path.clone();
        let plain = if let Some(sealed) = meta(conn, "data_key").map_err(|e| self.sql(e))? {
            let key = match &self.sealing {
                Sealing::Age(key) => key,
                Sealing::Plain => return Err(SecretError::Encrypted { path: path() }),
                Sealing::Keyring(_) => return Err(SecretError::AgeSealed { path: path() }),
            };
            let wrong = || SecretError::WrongKey {
                path: path(),
                key: key.source.clone(),
            };
            let plain = age::decrypt(&key.identity, &sealed).map_err(|_| wrong())?;
            (plain.len() == 32).then_some(plain).ok_or_else(wrong)?
        } else if let Some(item) = meta(conn, "keyring_key").map_err(|e| self.sql(e))? {
            let Sealing::Keyring(keyring) = &self.sealing else {
                return Err(SecretError::InKeyring { path: path() });
            };
            let item = String::from_utf8_lossy(&item).into_owned();
            let text = keyring
                .get(&item)?
                .ok_or_else(|| SecretError::KeyringKeyLost {
                    path: path(),
                    item: item.clone(),
                })?;
            decode_key(&item, &text)?.to_vec()
        } else {
            return Ok(None);
        };
        let k = *chacha20poly1305::Key::from_slice(&plain);
        self.data_key.set(Some(k));
        Ok(Some(k))
    }

    /// The data key to write with, inside a write transaction: made (and sealed with
    /// the age key, or kept in the keyring) at the first sealed write, which also seals
    /// the values stored plain. Without a key, writing plain next to sealed values is
    /// refused.
    fn writing_key(&self, tx: &Connection) -> Result<Option<chacha20poly1305::Key>, SecretError> {
        if let Some(k) = self.data_key(tx)? {
            // Plain values were sealed when this key was made: none is written now.
            return Ok(Some(k));
        }
        let data_key = match &self.sealing {
            Sealing::Plain => return Ok(None),
            Sealing::Age(key) => self.new_data_key(tx, key)?,
            Sealing::Keyring(keyring) => self.new_keyring_key(tx, keyring)?,
        };
        let plain: Vec<(String, Vec<u8>)> = tx
            .prepare("SELECT name, value FROM secrets WHERE sealed = 0")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| self.sql(e))?;
        for (name, value) in plain {
            let value = String::from_utf8(value).map_err(|_| self.damaged(&name))?;
            self.put(tx, Some(&data_key), &name, &Secret::new(value))?;
            self.resealed.set(true);
        }
        Ok(Some(data_key))
    }

    /// Makes a new random data key, kept in the file sealed to `to`, and uses it from
    /// now on.
    fn new_data_key(
        &self,
        tx: &Connection,
        to: &Key,
    ) -> Result<chacha20poly1305::Key, SecretError> {
        let k = *chacha20poly1305::Key::from_slice(&rand::random::<[u8; 32]>());
        self.seal_data_key(tx, &k, to)?;
        self.data_key.set(Some(k));
        Ok(k)
    }

    /// The data key kept in the keyring item named before the write
    /// (`name_keyring_key`): the one a run killed before its commit left there, which
    /// sealed nothing that was kept, or else a new random one, written there first (a
    /// file naming an item that was never written would have lost its key). The file
    /// records the item, and uses the key from now on.
    fn new_keyring_key(
        &self,
        tx: &Connection,
        keyring: &KeyringStore,
    ) -> Result<chacha20poly1305::Key, SecretError> {
        let item = meta(tx, "keyring_key_pending")
            .map_err(|e| self.sql(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .ok_or_else(|| SecretError::Corrupt {
                path: self.path.clone(),
                reason: "no name for the keyring's key was recorded before the write".into(),
            })?;
        let k = match keyring.get(&item)? {
            Some(text) => decode_key(&item, &text)?,
            None => {
                use base64::Engine;
                let k = *chacha20poly1305::Key::from_slice(&rand::random::<[u8; 32]>());
                let text = base64::engine::general_purpose::STANDARD.encode(k.as_slice());
                keyring.set_many(&[(item.clone(), Secret::new(text))])?;
                k
            }
        };
        tx.execute(
            "UPDATE meta SET name = 'keyring_key' WHERE name = 'keyring_key_pending'",
            [],
        )
        .and_then(|_| tx.pragma_update(None, "user_version", KEYRING_SCHEMA_VERSION))
        .map_err(|e| self.sql(e))?;
        self.data_key.set(Some(k));
        Ok(k)
    }

    /// Forgets what a rolled-back write made: its data key is not in the file, and
    /// must not be used for the next write (read it again from the file instead). A
    /// keyring item written for it stays, named in the file as pending: the next write
    /// takes it up.
    fn rolled_back(&self) {
        self.data_key.set(None);
        self.resealed.set(false);
    }

    /// Keeps the data key in the file, sealed with age to `to`.
    fn seal_data_key(
        &self,
        tx: &Connection,
        data_key: &chacha20poly1305::Key,
        to: &Key,
    ) -> Result<(), SecretError> {
        let sealed = age::encrypt(&to.identity.to_public(), data_key.as_slice()).map_err(|e| {
            self.io(
                "seal the data key of",
                &std::io::Error::other(e.to_string()),
            )
        })?;
        self.set_meta(tx, "data_key", &sealed)
    }

    fn set_meta(&self, tx: &Connection, name: &str, value: &[u8]) -> Result<(), SecretError> {
        tx.execute(
            "INSERT INTO meta (name, value) VALUES (?1, ?2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )
        .map(|_| ())
        .map_err(|e| self.sql(e))
    }

    /// Whether the file has a data key (sealed with age, or in the keyring): then every
    /// value sbctl wrote in it is sealed.
    fn sealed_anything(&self, conn: &Connection) -> Result<bool, SecretError> {
        let has = |name| {
            meta(conn, name)
                .map(|v| v.is_some())
                .map_err(|e| self.sql(e))
        };
        Ok(has("data_key")? || has("keyring_key")?)
    }

    fn damaged(&self, name: &str) -> SecretError {
        SecretError::BadValue {
            key: name.to_owned(),
            reason: "it does not open with its name and the data key: it was altered, or moved from another name".into(),
        }
    }

    fn planted(&self, name: &str) -> SecretError {
        SecretError::BadValue {
            key: name.to_owned(),
            reason: "it is stored plain among sealed values, which sbctl never writes: it was put there by hand or by another program".into(),
        }
    }

    /// Stores one value, sealed when there is a data key.
    fn put(
        &self,
        tx: &Connection,
        data_key: Option<&chacha20poly1305::Key>,
        name: &str,
        value: &Secret,
    ) -> Result<(), SecretError> {
        let (blob, sealed) = match data_key {
            Some(k) => (seal(k, name, value.expose().as_bytes()), true),
            None => (value.expose().as_bytes().to_vec(), false),
        };
        tx.execute(
            "INSERT INTO secrets (name, value, sealed) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, sealed = excluded.sealed",
            params![name, blob, sealed],
        )
        .map(|_| ())
        .map_err(|e| self.sql(e))
    }

    /// Runs `f` in a write transaction (waiting for other writers), creating the
    /// database if need be.
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T, SecretError>,
    ) -> Result<T, SecretError> {
        self.name_keyring_key()?;
        self.with(true, |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.sql(e))?;
            let done = f(&tx).and_then(|out| tx.commit().map(|()| out).map_err(|e| self.sql(e)));
            let out = done.inspect_err(|_| self.rolled_back())?;
            if self.resealed.replace(false) {
                // The values' old pages (zeroed in the file: secure_delete) leave the
                // log too, unless another process is reading it right now.
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            }
            Ok(out)
        })
        .map(|out| out.expect("created on write"))
    }

    /// Moves the secrets of the old `secrets.json` in, if there is one; says what it
    /// did in one line.
    pub fn migrate(&self) -> Result<Option<String>, SecretError> {
        let old = self.legacy_path();
        let Some(signature) = legacy::signature(&old) else {
            return Ok(None);
        };
        let age_key = match &self.sealing {
            Sealing::Age(key) => Some(key),
            _ => None,
        };
        let Some(secrets) = legacy::read(&old, age_key)? else {
            return Ok(None);
        };
        let moved_now = self.write(|tx| self.move_in(tx, &signature, &secrets))?;
        // Every secret must read back before the old file goes (values renewed since
        // an earlier, interrupted run are newer, and need only be there).
        for (name, value) in &secrets {
            match self.get(name)? {
                Some(v) if !moved_now || v == *value => {}
                _ => {
                    return Err(SecretError::Corrupt {
                        path: self.path.clone(),
                        reason: format!(
                            "{name} did not read back after the move; {} is kept",
                            old.display()
                        ),
                    })
                }
            }
        }
        fs::remove_file(&old).map_err(|e| self.io("remove the old secrets file of", &e))?;
        let _ = fs::remove_file(old.with_extension("json.lock"));
        if let Some(dir) = old.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = fs::File::open(dir).and_then(|d| d.sync_all());
        }
        let how = match self.sealing {
            Sealing::Plain => "",
            _ => ", sealed one by one",
        };
        Ok(Some(format!(
            "moved {} from {} to {}{how}; removed {}",
            crate::ui::count(secrets.len(), "secret", "secrets"),
            old.display(),
            self.path.display(),
            old.display()
        )))
    }

    /// The move's transaction: the old file's secrets written in (unless already
    /// there, newer), and the file's signature recorded. `false` when an earlier run
    /// already did it.
    fn move_in(
        &self,
        tx: &Connection,
        signature: &str,
        secrets: &std::collections::BTreeMap<String, Secret>,
    ) -> Result<bool, SecretError> {
        match meta(tx, "migrated_from").map_err(|e| self.sql(e))? {
            None => {}
            // Killed after moving them in, before removing the old file.
            Some(done) if done == signature.as_bytes() => return Ok(false),
            Some(_) => {
                return Err(SecretError::ChangedAfterMove {
                    path: self.legacy_path(),
                    into: self.path.clone(),
                })
            }
        }
        let data_key = self.writing_key(tx)?;
        for (name, value) in secrets {
            // A secret stored here since (none should be) is the newer one.
            if !self.holds(tx, name)? {
                self.put(tx, data_key.as_ref(), name, value)?;
            }
        }
        tx.execute(
            "INSERT INTO meta (name, value) VALUES ('migrated_from', ?1)",
            [signature.as_bytes()],
        )
        .map_err(|e| self.sql(e))?;
        #[cfg(debug_assertions)]
        crate::interrupt::pause_point("secrets-move-before-commit");
        Ok(true)
    }

    fn holds(&self, tx: &Connection, name: &str) -> Result<bool, SecretError> {
        tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM secrets WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )
        .map_err(|e| self.sql(e))
    }

    /// Moves in secrets kept one per OS keyring item (`keyring-items`), in one
    /// transaction that also records that the items are still to be removed. A value
    /// already here is the newer one (stored since by this sbctl, or moved by an
    /// earlier run cut off before it removed the items) and is kept. Whether each was
    /// written.
    pub fn move_in_items(&self, items: &[(String, Secret)]) -> Result<Vec<bool>, SecretError> {
        self.write(|tx| {
            let data_key = self.writing_key(tx)?;
            let mut written = Vec::with_capacity(items.len());
            for (name, value) in items {
                let write = !self.holds(tx, name)?;
                if write {
                    self.put(tx, data_key.as_ref(), name, value)?;
                }
                written.push(write);
            }
            self.set_move(tx, MOVE_COPIED)?;
            #[cfg(debug_assertions)]
            crate::interrupt::pause_point("keyring-move-before-commit");
            Ok(written)
        })
    }

    /// Whether a move from keyring items copied them here and was cut off before it
    /// removed them all.
    pub fn move_unfinished(&self) -> Result<bool, SecretError> {
        let state = self.with(false, |conn| {
            meta(conn, "moved_from_keyring_items").map_err(|e| self.sql(e))
        })?;
        Ok(state.flatten().as_deref() == Some(MOVE_COPIED))
    }

    /// Records that the keyring's items were all removed.
    pub fn move_finished(&self) -> Result<(), SecretError> {
        self.write(|tx| self.set_move(tx, MOVE_DONE))
    }

    fn set_move(&self, tx: &Connection, state: &[u8]) -> Result<(), SecretError> {
        self.set_meta(tx, "moved_from_keyring_items", state)
    }

    /// Rotates the key: a new data key, sealed to `new`, and every value sealed again
    /// with it, all in one transaction (a rotation killed half-way leaves the old key
    /// working). Someone holding the old key and a copy of the file from before opens
    /// nothing written from now on. Rows are read a batch at a time.
    pub fn rekey(&self, new: &Key) -> Result<usize, SecretError> {
        const BATCH: i64 = 512;
        self.write(|tx| {
            let old = self.data_key(tx)?;
            let data_key = self.new_data_key(tx, new)?;
            let (mut after, mut count) = (String::new(), 0usize);
            loop {
                let rows: Vec<(String, Vec<u8>, bool)> = tx
                    .prepare_cached(
                        "SELECT name, value, sealed FROM secrets \
                         WHERE name > ?1 ORDER BY name LIMIT ?2",
                    )
                    .and_then(|mut s| {
                        s.query_map(params![after, BATCH], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })?
                        .collect::<rusqlite::Result<_>>()
                    })
                    .map_err(|e| self.sql(e))?;
                let Some(last) = rows.last().map(|r| r.0.clone()) else {
                    break;
                };
                for (name, blob, sealed) in rows {
                    let plain = match (sealed, old.as_ref()) {
                        (false, None) => blob,
                        (true, Some(k)) => {
                            unseal(k, &name, &blob).ok_or_else(|| self.damaged(&name))?
                        }
                        (false, Some(_)) => return Err(self.planted(&name)),
                        (true, None) => return Err(self.damaged(&name)),
                    };
                    let value = String::from_utf8(plain).map_err(|_| self.damaged(&name))?;
                    self.put(tx, Some(&data_key), &name, &Secret::new(value))?;
                    count += 1;
                }
                after = last;
            }
            self.resealed.set(true);
            Ok(count)
        })
    }
}

/// A data key as the keyring keeps it (base64 of 32 bytes).
fn decode_key(item: &str, text: &Secret) -> Result<chacha20poly1305::Key, SecretError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.expose())
        .ok()
        .filter(|k| k.len() == 32)
        .map(|k| *chacha20poly1305::Key::from_slice(&k))
        .ok_or(SecretError::BadValue {
            key: item.to_owned(),
            reason: "the OS keyring's item is not a data key of sbctl's".into(),
        })
}

fn meta(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
}

/// `nonce || ciphertext`, the name bound in as associated data.
fn seal(key: &chacha20poly1305::Key, name: &str, plain: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = rand::random();
    let sealed = XChaCha20Poly1305::new(key)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: name.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals any length sbctl stores");
    [nonce.as_slice(), &sealed].concat()
}

/// The value sealed under `name`, or `None` when it does not open (altered, moved).
fn unseal(key: &chacha20poly1305::Key, name: &str, blob: &[u8]) -> Option<Vec<u8>> {
    if blob.len() < NONCE_LEN {
        return None;
    }
    let (nonce, sealed) = blob.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: name.as_bytes(),
            },
        )
        .ok()
}

impl SecretStore for FileStore {
    fn kind(&self) -> super::Kind {
        match self.sealing {
            Sealing::Keyring(_) => super::Kind::Keyring,
            _ => super::Kind::File,
        }
    }

    fn location(&self) -> String {
        let sealed_with = match &self.sealing {
            Sealing::Plain => return self.path.display().to_string(),
            Sealing::Age(key) => format!("encrypted with age {{when}}(key from {})", key.source),
            Sealing::Keyring(keyring) => {
                format!("sealed {{when}}with a key in the {}", keyring.location())
            }
        };
        // Values stored before the key was set are sealed at the next write.
        let plain_now = self
            .with(false, |c| {
                c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM secrets WHERE sealed = 0)",
                    [],
                    |r| r.get::<_, bool>(0),
                )
                .map_err(|e| self.sql(e))
            })
            .ok()
            .flatten()
            .unwrap_or(false);
        let when = if plain_now { "at its next write " } else { "" };
        format!(
            "{}, {}",
            self.path.display(),
            sealed_with.replace("{when}", when)
        )
    }

    fn batch(&self) -> Result<Box<dyn super::SecretBatch + '_>, SecretError> {
        self.name_keyring_key()?;
        self.with(true, |conn| {
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| self.sql(e))
        })?;
        // From here the batch's drop rolls back whatever happens.
        let mut batch = FileBatch {
            store: self,
            data_key: None,
            committed: false,
        };
        batch.data_key = self
            .with(true, |conn| self.writing_key(conn))?
            .expect("created on write");
        Ok(Box::new(batch))
    }

    fn contains_many(&self, names: &[String]) -> Result<Vec<bool>, SecretError> {
        let (Some(first), Some(last)) = (names.iter().min(), names.iter().max()) else {
            return Ok(Vec::new());
        };
        // One range read for the batch (ids come in order, so the range is theirs).
        let found = self.with(false, |conn| {
            conn.prepare_cached("SELECT name FROM secrets WHERE name BETWEEN ?1 AND ?2")
                .and_then(|mut s| {
                    s.query_map([first, last], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<std::collections::HashSet<String>>>()
                })
                .map_err(|e| self.sql(e))
        })?;
        Ok(names
            .iter()
            .map(|n| found.as_ref().is_some_and(|f| f.contains(n)))
            .collect())
    }

    fn get(&self, name: &str) -> Result<Option<Secret>, SecretError> {
        let found = self.with(false, |conn| {
            let row: Option<(Vec<u8>, bool)> = conn
                .prepare_cached("SELECT value, sealed FROM secrets WHERE name = ?1")
                .and_then(|mut s| {
                    s.query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .map_err(|e| self.sql(e))?;
            let Some((blob, sealed)) = row else {
                return Ok(None);
            };
            let plain = if sealed {
                let key = self.data_key(conn)?.ok_or_else(|| self.damaged(name))?;
                unseal(&key, name, &blob).ok_or_else(|| self.damaged(name))?
            } else if self.sealed_anything(conn)? {
                // Plain values are sealed when the data key is made: one beside sealed
                // values was written into the file by something other than sbctl.
                return Err(self.planted(name));
            } else {
                blob
            };
            String::from_utf8(plain)
                .map(|s| Some(Secret::new(s)))
                .map_err(|_| self.damaged(name))
        })?;
        Ok(found.flatten())
    }

    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError> {
        self.write(|tx| {
            let data_key = self.writing_key(tx)?;
            for (name, value) in items {
                self.put(tx, data_key.as_ref(), name, value)?;
            }
            Ok(())
        })
    }

    fn delete_many(&self, names: &[String]) -> Result<(), SecretError> {
        self.with(false, |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.sql(e))?;
            for name in names {
                tx.execute("DELETE FROM secrets WHERE name = ?1", [name])
                    .map_err(|e| self.sql(e))?;
            }
            tx.commit().map_err(|e| self.sql(e))
        })?;
        Ok(())
    }

    fn probe(&self) -> Result<(), SecretError> {
        let key = self.with(false, |conn| self.data_key(conn))?.flatten();
        // Before the first sealed write, whether the keyring that will keep the key
        // answers.
        match (&self.sealing, key) {
            (Sealing::Keyring(keyring), None) => keyring.probe(),
            _ => Ok(()),
        }
    }
}

/// Values written in one transaction of the file (see `SecretStore::batch`).
struct FileBatch<'a> {
    store: &'a FileStore,
    data_key: Option<chacha20poly1305::Key>,
    committed: bool,
}

impl super::SecretBatch for FileBatch<'_> {
    fn set(&mut self, key: String, value: Secret) -> Result<(), SecretError> {
        let s = self.store;
        s.with(true, |conn| {
            s.put(conn, self.data_key.as_ref(), &key, &value)
        })
        .map(|done| done.expect("created on write"))
    }

    fn commit(mut self: Box<Self>) -> Result<(), SecretError> {
        let s = self.store;
        s.with(true, |conn| {
            conn.execute_batch("COMMIT").map_err(|e| s.sql(e))
        })?;
        self.committed = true;
        if s.resealed.replace(false) {
            // As `write`: the values' old pages leave the log too.
            let _ = s.with(false, |conn| {
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                Ok(())
            });
        }
        Ok(())
    }
}

impl Drop for FileBatch<'_> {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let s = self.store;
        let _ = s.with(false, |conn| {
            let _ = conn.execute_batch("ROLLBACK");
            Ok(())
        });
        s.rolled_back();
    }
}

#[cfg(test)]
mod tests;
