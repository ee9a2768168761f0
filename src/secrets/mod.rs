//! Where tokens and client secrets live: a 0600 SQLite file of their own (one row per
//! secret, each sealed with a data key kept in the OS keyring, or sealed with an age
//! key, or plain), or one OS keyring item per secret; behind one small interface,
//! `open` picks the backend. Keys are `profile:<id>` (a JSON `TokenSet`) and
//! `client:<provider>` (a client secret).

pub mod file;
pub mod host;
mod key;
pub mod keyring;
mod legacy;

use crate::domain::profile::ProfileId;
use crate::domain::token::{Secret, TokenSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretError {
    #[error("secrets file {path} can be read by other users (mode {mode:03o})")]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("secrets file {path} is in a directory {problem}: they could replace it")]
    OpenDir {
        path: PathBuf,
        problem: crate::perms::Exposure,
    },
    #[error("{path} belongs to another user (uid {uid}), or is a symbolic link: sbctl reads and writes secrets only in files of its own")]
    NotOurs { path: PathBuf, uid: u32 },
    #[error("secrets file {path} is encrypted, and no key to open it is set")]
    Encrypted { path: PathBuf },
    #[error("secrets file {path} cannot be opened with the key from {key}")]
    WrongKey { path: PathBuf, key: String },
    #[error("secrets file {path} is damaged ({reason})")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "{path} changed after its secrets were moved to {into} (by an older sbctl?); it is kept"
    )]
    ChangedAfterMove { path: PathBuf, into: PathBuf },
    #[error("cannot {action} secrets file {path}: {reason}")]
    Io {
        action: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("the OS keyring is not available ({reason})")]
    KeyringUnavailable { reason: String },
    #[error("the OS keyring did not answer within {seconds}s")]
    KeyringTimeout { seconds: u64 },
    #[error("the OS keyring failed ({reason})")]
    Keyring { reason: String },
    #[error("this sbctl has no OS keyring that keeps secrets after it exits ({reason})")]
    KeyringNotPersistent { reason: &'static str },
    #[error("secrets file {path} is sealed with a key kept in the OS keyring")]
    InKeyring { path: PathBuf },
    #[error("secrets file {path} is sealed with an age key, not with a key in the OS keyring")]
    AgeSealed { path: PathBuf },
    #[error("the key that opens secrets file {path} is not in the OS keyring (item `{item}` of service `sbctl`): it was deleted, or this is another keyring")]
    KeyringKeyLost { path: PathBuf, item: String },
    #[error("the secret stored for {key} is damaged ({reason})")]
    BadValue { key: String, reason: String },
    /// The shared store's own thread is gone (or a test's stand-in failure).
    #[error("{0}")]
    Group(String),
}

impl crate::error::Explained for SecretError {
    fn hint(&self) -> Option<String> {
        match self {
            SecretError::TooOpen { path, .. } => Some(format!(
                "run `chmod 600 {}` if nobody else read it, else revoke and re-authorize its tokens",
                path.display()
            )),
            SecretError::OpenDir { path, problem } => Some(crate::perms::open_dir_hint(
                path,
                *problem,
                "SBCTL_SECRETS_FILE",
            )),
            SecretError::Io { reason, .. } if reason == "the disk is full" => {
                Some(crate::perms::DISK_FULL_HINT.into())
            }
            SecretError::NotOurs { path, .. } => Some(format!(
                "remove {} if you do not know it, and revoke the tokens it may hold; then run the command again",
                path.display()
            )),
            SecretError::ChangedAfterMove { into, .. } => Some(format!(
                "stop older sbctl versions using these files; store any secret it has that {} lacks again with this sbctl (`sbctl reauth ID`), then remove the old file",
                into.display()
            )),
            SecretError::Encrypted { .. } => Some(
                "set SBCTL_SECRETS_KEY_FILE (or secrets_key_file in the config) to the age key it was written with".into(),
            ),
            SecretError::WrongKey { .. } => Some(
                "it was written with another key: point SBCTL_SECRETS_KEY_FILE at that one".into(),
            ),
            SecretError::InKeyring { .. } => Some(
                "use `--secret-store keyring` (secret_store = \"keyring\") where that keyring is unlocked".into(),
            ),
            SecretError::AgeSealed { .. } => Some(
                "use `--secret-store file` with SBCTL_SECRETS_KEY_FILE (or secrets_key_file) set to that age key".into(),
            ),
            SecretError::KeyringKeyLost { path, .. } => Some(format!(
                "restore that item from a backup of the keyring: sbctl never makes a new key over it. If it is lost, so are the tokens sealed with it: move {} aside, then re-authorize each profile (`sbctl reauth ID`) or import your last `sbctl profiles export --with-secrets` into a new database",
                path.display()
            )),
            SecretError::Corrupt { .. } => {
                Some("sbctl left it untouched: restore it from a backup".into())
            }
            SecretError::KeyringNotPersistent { .. } => Some(
                "use `--secret-store file` (SBCTL_SECRET_STORE=file, or secret_store = \"file\" in the config)"
                    .into(),
            ),
            SecretError::KeyringUnavailable { .. } | SecretError::KeyringTimeout { .. } => Some(
                "unlock the keyring (cron reaches a logged-in desktop's with DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/<uid>/bus), or use `--secret-store file` (SBCTL_SECRET_STORE=file) where none runs"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// The kinds of secret store, as `--secret-store` and `secret_store` name them. An
/// opened store is `Keyring`, `KeyringItems` or `File`; `Auto` is the choice between
/// the first and the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The OS keyring when one answers, else the file store (with a warning)
    Auto,
    /// The secrets file, sealed with one key kept in the OS keyring (service `sbctl`)
    Keyring,
    /// One OS keyring item per secret, as sbctl 0.2 kept them: slow past a few hundred
    KeyringItems,
    /// The secrets file, mode 0600, one row per secret ($SBCTL_SECRETS_FILE)
    File,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Auto => "auto",
            Kind::Keyring => "keyring",
            Kind::KeyringItems => "keyring-items",
            Kind::File => "file",
        }
    }

    /// A store's kind as remembered (`keyring`, `keyring-items` or `file`).
    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::Keyring, Kind::KeyringItems, Kind::File]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Where the file store's age key comes from.
#[derive(Debug)]
pub enum KeySource {
    File(PathBuf),
    /// `SBCTL_SECRETS_KEY`: the key itself.
    Text(Secret),
}

/// How long one keyring call may take before sbctl gives up on it.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a keyring has to answer when `auto` asks whether there is one.
const KEYRING_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a keyring answers now: `auto`'s first choice.
pub fn keyring_answers() -> Result<(), SecretError> {
    keyring::KeyringStore::open(KEYRING_PROBE_TIMEOUT)?.probe()
}

/// Opens the secret store of `kind` (not `Auto`): the one place a backend is chosen.
/// The secrets file is at `path`, sealed with a key in the OS keyring (`Keyring`) or
/// with the age key from `key` when one is set (`File`), and moves an older file's
/// secrets in first: what it did is the line returned.
pub fn open(
    kind: Kind,
    (path, key): (&Path, Option<&KeySource>),
) -> crate::error::Result<(file::FileStore, Option<String>)> {
    let store = file::FileStore::new(path.to_owned());
    let store = match kind {
        Kind::Keyring => store.in_keyring(keyring::KeyringStore::open(KEYRING_TIMEOUT)?),
        _ => store.with_key(load_key(key)?),
    };
    let moved = store.migrate()?;
    Ok((store, moved))
}

/// The OS keyring, one item per secret (`KeyringItems`).
pub fn open_items() -> Result<keyring::KeyringStore, SecretError> {
    keyring::KeyringStore::open(KEYRING_TIMEOUT)
}

/// Moves the secrets kept one per OS keyring item (sbctl 0.2's `keyring`, now
/// `keyring-items`) into the secrets file `into`, sealed with its key in the keyring.
/// Every one of the `tokens` and `clients` names the keyring holds is written in one
/// transaction (a value the file has already is newer, and kept) and read back; then
/// `copied` is called (the caller remembers the new place, so that nothing writes the
/// items any more), and only then are the tokens' items removed, each unless it was
/// renewed meanwhile (then it is written again first). Client secrets are copied, not
/// removed: another database may use them. Killed at any point, every secret is in an
/// item or in the file, and the next run (`into.move_unfinished`) goes on. How many
/// were found; `progress` is told (done, total).
pub fn move_items(
    into: &file::FileStore,
    (tokens, clients): (&[String], &[String]),
    copied: &mut dyn FnMut() -> crate::error::Result<()>,
    progress: &dyn Fn(usize, usize),
) -> crate::error::Result<usize> {
    let items = open_items()?;
    let names: Vec<String> = tokens.iter().chain(clients).cloned().collect();
    let done = std::cell::Cell::new(0);
    let total = std::cell::Cell::new(names.len());
    let tick = || {
        done.set(done.get() + 1);
        progress(done.get(), total.get());
    };
    let found = items.read_many(&names, &tick)?;
    if found.is_empty() {
        // Cut off after removing the last item, before saying so.
        if into.move_unfinished()? {
            into.move_finished()?;
        }
        return Ok(0);
    }
    let written = into.move_in_items(&found)?;
    for ((name, value), wrote) in found.iter().zip(written) {
        match into.get(name)? {
            Some(v) if !wrote || v == *value => {}
            _ => {
                return Err(SecretError::Corrupt {
                    path: into.path().to_owned(),
                    reason: format!(
                        "{name} did not read back after the move; the OS keyring's items are kept"
                    ),
                }
                .into())
            }
        }
    }
    copied()?;
    #[cfg(debug_assertions)]
    crate::interrupt::pause_point("keyring-move-copied");
    let mut left: Vec<(String, Secret)> = found
        .iter()
        .filter(|(name, _)| !clients.contains(name))
        .cloned()
        .collect();
    total.set(names.len() + left.len());
    // An item renewed since it was read (by an sbctl that was told to use
    // `keyring-items` before the new place was remembered) is newer than what was
    // moved: it is written again, and its item removed on the next turn.
    for _ in 0..3 {
        left = items.remove_unchanged(&left, &tick)?;
        if left.is_empty() {
            break;
        }
        into.set_many(&left)?;
    }
    into.move_finished()?;
    Ok(found.len())
}

/// Seals every value of the file store again, under a new data key sealed to the age
/// key in the file `to`; the old key opens nothing after. How many values, and what
/// moving an older file in did first.
pub fn rekey(
    (path, key): (&Path, Option<&KeySource>),
    to: &Path,
) -> crate::error::Result<(usize, Option<String>)> {
    let new = load_key(Some(&KeySource::File(to.to_owned())))?.expect("a key source gives a key");
    let store = file::FileStore::new(path.to_owned()).with_key(load_key(key)?);
    let moved = store.migrate()?;
    Ok((store.rekey(&new)?, moved))
}

/// The age key that seals the file store's values, if one is set.
fn load_key(key: Option<&KeySource>) -> crate::error::Result<Option<file::Key>> {
    let loaded = match key {
        None => return Ok(None),
        Some(KeySource::File(path)) => file::Key::from_file(path),
        Some(KeySource::Text(text)) => {
            file::Key::from_text(text.expose(), "SBCTL_SECRETS_KEY".into())
        }
    };
    loaded.map(Some).map_err(|e| {
        let e = crate::error::Error::failed(e);
        // A key file that is there has its own fix in the message (its mode, its
        // owner); making a new one would lose every secret sealed with it.
        let missing = |path: &Path| {
            std::fs::metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        };
        match key {
            Some(KeySource::File(path)) if !missing(path) => e,
            _ => e.hint("make one with `age-keygen -o KEY` (Debian package `age`), mode 600"),
        }
    })
}

/// A file that is not ours: another user's, or a link (which is refused unread).
fn not_ours(path: &Path, uid: Option<u32>) -> SecretError {
    SecretError::NotOurs {
        path: path.to_owned(),
        uid: uid.unwrap_or_else(|| std::fs::symlink_metadata(path).map_or(0, |m| m.uid())),
    }
}

/// Refuses a file of another user's, or one that others may read.
fn check_owner_and_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), SecretError> {
    if meta.uid() != crate::perms::euid() {
        return Err(not_ours(path, Some(meta.uid())));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

/// A place to keep secrets. Every call may fail; none may hang for long.
pub trait SecretStore: Send {
    fn kind(&self) -> Kind;
    /// Where the secrets are, for people.
    fn location(&self) -> String;
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError>;
    /// Whether each of `keys` has a value, without reading (or unsealing) any: what
    /// `check` asks of every profile.
    fn contains_many(&self, keys: &[String]) -> Result<Vec<bool>, SecretError> {
        keys.iter()
            .map(|k| self.get(k).map(|v| v.is_some()))
            .collect()
    }
    /// Stores several values; the file store writes them in one transaction.
    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError>;
    /// Removes several values; keys that are not there are fine.
    fn delete_many(&self, keys: &[String]) -> Result<(), SecretError>;
    /// Starts storing values all or none, however many (`profiles import`): what the
    /// batch is given is kept when it is committed, and none of it when it is dropped
    /// first. The file store writes them in one transaction; other stores write each at
    /// once and take them back on drop, remembering their keys.
    fn batch(&self) -> Result<Box<dyn SecretBatch + '_>, SecretError> {
        Ok(Box::new(OneByOne {
            store: self,
            written: Vec::new(),
            committed: false,
        }))
    }
    /// Checks that the store answers and can be read.
    fn probe(&self) -> Result<(), SecretError>;
}

/// Values being stored all or none (see `SecretStore::batch`).
pub trait SecretBatch {
    fn set(&mut self, key: String, value: Secret) -> Result<(), SecretError>;
    fn commit(self: Box<Self>) -> Result<(), SecretError>;
}

/// A batch of a store without transactions: each value is written at once, and taken
/// back unless the batch is committed.
struct OneByOne<'a, S: SecretStore + ?Sized> {
    store: &'a S,
    written: Vec<String>,
    committed: bool,
}

impl<S: SecretStore + ?Sized> SecretBatch for OneByOne<'_, S> {
    fn set(&mut self, key: String, value: Secret) -> Result<(), SecretError> {
        let item = [(key, value)];
        let stored = self.store.set_many(&item);
        let [(key, _)] = item;
        // A keyring may have taken it before failing: it is taken back with the rest.
        self.written.push(key);
        stored
    }

    fn commit(mut self: Box<Self>) -> Result<(), SecretError> {
        self.committed = true;
        Ok(())
    }
}

impl<S: SecretStore + ?Sized> Drop for OneByOne<'_, S> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.store.delete_many(&self.written);
        }
    }
}

pub fn profile_key(id: &ProfileId) -> String {
    format!("profile:{id}")
}

pub fn client_key(provider: &str) -> String {
    format!("client:{provider}")
}

pub fn get_tokens(
    store: &dyn SecretStore,
    id: &ProfileId,
) -> Result<Option<TokenSet>, SecretError> {
    let key = profile_key(id);
    store
        .get(&key)?
        .map(|s| {
            serde_json::from_str(s.expose()).map_err(|e| SecretError::BadValue {
                key,
                reason: format!("not a token set: line {}, column {}", e.line(), e.column()),
            })
        })
        .transpose()
}

/// The secret-store entries for a batch of profiles' tokens.
pub fn token_entries(items: &[(ProfileId, TokenSet)]) -> Vec<(String, Secret)> {
    items
        .iter()
        .map(|(id, tokens)| {
            (
                profile_key(id),
                Secret::new(serde_json::to_string(tokens).expect("token sets serialize")),
            )
        })
        .collect()
}

/// One secret store shared by many threads: a thread of its own owns the store and
/// answers requests in turn, so there is one cache and one set of buffers however many
/// renewers run. Writes that arrive while another is being written are grouped into one
/// (group commit: one transaction, one sync, for the file store), and every caller
/// returns only once its own entries are stored, or with the error that stopped them.
pub struct SharedStore {
    kind: Kind,
    location: String,
    requests: Option<std::sync::mpsc::Sender<Request>>,
    /// Gives the store back when the queue closes.
    thread: Option<std::thread::JoinHandle<Box<dyn SecretStore>>>,
}

type Reply<T> = std::sync::mpsc::Sender<Result<T, SecretError>>;

enum Request {
    Get(String, Reply<Option<Secret>>),
    Set(Vec<(String, Secret)>, Reply<()>),
    Delete(Vec<String>, Reply<()>),
    Probe(Reply<()>),
}

impl SharedStore {
    pub fn new(store: Box<dyn SecretStore>) -> Self {
        let kind = store.kind();
        let location = store.location();
        let (requests, queue) = std::sync::mpsc::channel::<Request>();
        let thread = std::thread::spawn(move || {
            let mut waiting: Vec<Request> = Vec::new();
            loop {
                if waiting.is_empty() {
                    match queue.recv() {
                        Ok(r) => waiting.push(r),
                        Err(_) => return store,
                    }
                }
                waiting.extend(queue.try_iter());
                // All the writes waiting now go in one; then everything else, in order.
                let (sets, others): (Vec<Request>, Vec<Request>) = waiting
                    .drain(..)
                    .partition(|r| matches!(r, Request::Set(..)));
                if !sets.is_empty() {
                    let items: Vec<(String, Secret)> = sets
                        .iter()
                        .flat_map(|r| match r {
                            Request::Set(items, _) => items.clone(),
                            _ => Vec::new(),
                        })
                        .collect();
                    let result = store.set_many(&items);
                    for r in sets {
                        if let Request::Set(_, reply) = r {
                            let _ = reply.send(result.clone());
                        }
                    }
                }
                for r in others {
                    match r {
                        Request::Get(key, reply) => {
                            let _ = reply.send(store.get(&key));
                        }
                        Request::Delete(keys, reply) => {
                            let _ = reply.send(store.delete_many(&keys));
                        }
                        Request::Probe(reply) => {
                            let _ = reply.send(store.probe());
                        }
                        Request::Set(..) => unreachable!("partitioned above"),
                    }
                }
            }
        });
        SharedStore {
            kind,
            location,
            requests: Some(requests),
            thread: Some(thread),
        }
    }

    /// The store, once every request sent has been answered.
    pub fn into_inner(mut self) -> Box<dyn SecretStore> {
        drop(self.requests.take());
        let thread = self.thread.take().expect("taken only here and in drop");
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    fn ask<T>(&self, request: impl FnOnce(Reply<T>) -> Request) -> Result<T, SecretError> {
        let stopped = || SecretError::Group("the secret store's thread stopped".into());
        let (reply, answer) = std::sync::mpsc::channel();
        self.requests
            .as_ref()
            .ok_or_else(stopped)?
            .send(request(reply))
            .map_err(|_| stopped())?;
        // The store's own error, whole: its hint goes with it.
        answer.recv().map_err(|_| stopped())?
    }
}

impl SecretStore for SharedStore {
    fn kind(&self) -> Kind {
        self.kind
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        self.ask(|reply| Request::Get(key.to_owned(), reply))
    }

    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError> {
        self.ask(|reply| Request::Set(items.to_vec(), reply))
    }

    fn delete_many(&self, keys: &[String]) -> Result<(), SecretError> {
        self.ask(|reply| Request::Delete(keys.to_vec(), reply))
    }

    fn probe(&self) -> Result<(), SecretError> {
        self.ask(Request::Probe)
    }
}

impl Drop for SharedStore {
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_store_serves_many_threads_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.db");
        let writer = SharedStore::new(Box::new(file::FileStore::new(path.clone())));
        std::thread::scope(|s| {
            for t in 0..8 {
                let writer = &writer;
                s.spawn(move || {
                    for i in 0..20 {
                        let key = format!("k{t}-{i}");
                        writer
                            .set_many(&[(key.clone(), Secret::new(format!("v{t}-{i}")))])
                            .unwrap();
                        assert!(writer.get(&key).unwrap().is_some(), "read back at once");
                    }
                });
            }
        });
        let store = file::FileStore::new(path);
        for t in 0..8 {
            for i in 0..20 {
                assert_eq!(
                    store.get(&format!("k{t}-{i}")).unwrap(),
                    Some(Secret::new(format!("v{t}-{i}")))
                );
            }
        }
    }

    #[test]
    fn a_failed_group_write_is_reported_to_its_callers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.db");
        std::fs::write(&path, "{}").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let writer = SharedStore::new(Box::new(file::FileStore::new(path)));
        let err = writer
            .set_many(&[("k".into(), Secret::new("s3cr3t".into()))])
            .unwrap_err();
        assert!(
            err.to_string().contains("can be read by other users"),
            "{err}"
        );
        assert!(!err.to_string().contains("s3cr3t"));
    }
}
