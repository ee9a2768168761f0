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
pub trait SecretStore {
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
