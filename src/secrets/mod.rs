//! Where tokens and client secrets live: the OS keyring or a 0600 JSON file, behind
//! one small interface. Keys are `profile:<id>` (a JSON `TokenSet`) and
//! `client:<provider>` (a client secret).

pub mod file;
pub mod keyring;

use crate::domain::profile::ProfileId;
use crate::domain::token::{Secret, TokenSet};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secrets file {path} can be read by other users (mode {mode:03o})")]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("secrets file {path} is damaged ({reason})")]
    Corrupt { path: PathBuf, reason: String },
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
    #[error("the secret stored for {key} is damaged ({reason})")]
    BadValue { key: String, reason: String },
    /// A group write failed; the words are those of the store's error.
    #[error("{0}")]
    Group(String),
}

impl SecretError {
    pub fn hint(&self) -> Option<String> {
        match self {
            SecretError::TooOpen { path, .. } => Some(format!(
                "run `chmod 600 {}` if nobody else read it, else revoke and re-authorize its tokens",
                path.display()
            )),
            SecretError::Corrupt { .. } => {
                Some("sbctl left it untouched: restore it from a backup".into())
            }
            SecretError::KeyringUnavailable { .. } | SecretError::KeyringTimeout { .. } => Some(
                "unlock the keyring, or use `--secret-store file` (SBCTL_SECRET_STORE=file) where none runs, as under cron"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// A place to keep secrets. Every call may fail; none may hang for long.
pub trait SecretStore: Send {
    /// `keyring` or `file`, as in `--secret-store`.
    fn kind(&self) -> &'static str;
    /// Where the secrets are, for people.
    fn location(&self) -> String;
    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError>;
    /// Stores several values; the file store writes them in one atomic replace.
    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError>;
    /// Removes several values; keys that are not there are fine.
    fn delete_many(&self, keys: &[String]) -> Result<(), SecretError>;
    /// Checks that the store answers and can be read.
    fn probe(&self) -> Result<(), SecretError>;
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

/// Group commit: many threads' writes become as few store writes as possible (the file
/// store rewrites the whole file for each), and each caller returns only once its own
/// entries are stored, or with the error that stopped them.
pub struct GroupWriter {
    store: std::sync::Mutex<Box<dyn SecretStore>>,
    state: std::sync::Mutex<Batches>,
    flushed: std::sync::Condvar,
}

#[derive(Default)]
struct Batches {
    pending: Vec<(String, Secret)>,
    /// The batch that `pending` will be written in.
    next: u64,
    /// Batches written so far (batch `n` is done once `done > n`).
    done: u64,
    writing: bool,
    failures: std::collections::BTreeMap<u64, String>,
}

impl GroupWriter {
    pub fn new(store: Box<dyn SecretStore>) -> Self {
        GroupWriter {
            store: std::sync::Mutex::new(store),
            state: std::sync::Mutex::new(Batches::default()),
            flushed: std::sync::Condvar::new(),
        }
    }

    pub fn write(&self, items: Vec<(String, Secret)>) -> Result<(), SecretError> {
        let mut state = self.state.lock().expect("group writer lock");
        state.pending.extend(items);
        let mine = state.next;
        loop {
            if state.done > mine {
                return match state.failures.get(&mine) {
                    Some(e) => Err(SecretError::Group(e.clone())),
                    None => Ok(()),
                };
            }
            if state.writing {
                state = self.flushed.wait(state).expect("group writer lock");
                continue;
            }
            // Nobody is writing: write everything waiting, this caller's included.
            state.writing = true;
            let batch = std::mem::take(&mut state.pending);
            let id = state.next;
            state.next += 1;
            drop(state);
            let result = self.store.lock().expect("store lock").set_many(&batch);
            state = self.state.lock().expect("group writer lock");
            state.writing = false;
            state.done = id + 1;
            if let Err(e) = result {
                state.failures.insert(id, e.to_string());
            }
            self.flushed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_writes_lose_nothing_and_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let writer = GroupWriter::new(Box::new(file::FileStore::new(path.clone())));
        std::thread::scope(|s| {
            for t in 0..8 {
                let writer = &writer;
                s.spawn(move || {
                    for i in 0..20 {
                        writer
                            .write(vec![(
                                format!("k{t}-{i}"),
                                Secret::new(format!("v{t}-{i}")),
                            )])
                            .unwrap();
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
        let batches = writer.state.lock().unwrap().done;
        assert!(batches <= 160, "{batches}");
    }

    #[test]
    fn a_failed_group_write_is_reported_to_its_callers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, "{}").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let writer = GroupWriter::new(Box::new(file::FileStore::new(path)));
        let err = writer
            .write(vec![("k".into(), Secret::new("v".into()))])
            .unwrap_err();
        assert!(
            err.to_string().contains("can be read by other users"),
            "{err}"
        );
        assert!(!err.to_string().contains('v') || !err.to_string().contains("\"v\""));
    }
}
