//! The OS keyring (Secret Service on Linux) under service name `sbctl`. Every call runs
//! on its own thread with a deadline: a locked or prompting keyring must not hang cron.

use super::{SecretError, SecretStore};
use crate::domain::token::Secret;
use std::sync::mpsc;
use std::time::Duration;

pub const SERVICE: &str = "sbctl";

pub struct KeyringStore {
    timeout: Duration,
}

impl KeyringStore {
    pub fn new(timeout: Duration) -> Self {
        KeyringStore { timeout }
    }

    fn call<T: Send + 'static>(
        &self,
        key: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, SecretError> {
        let key = key.to_owned();
        let (tx, rx) = mpsc::channel();
        // A hung call leaves its thread behind; the process ends soon after anyway.
        std::thread::spawn(move || {
            let result = keyring::Entry::new(SERVICE, &key).and_then(|e| op(&e));
            let _ = tx.send(result);
        });
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result.map_err(classify),
            Err(_) => Err(SecretError::KeyringTimeout {
                seconds: self.timeout.as_secs().max(1),
            }),
        }
    }
}

/// keyring's errors never hold secret values; keep their first line only.
fn classify(e: keyring::Error) -> SecretError {
    let reason = |e: &dyn std::fmt::Display| {
        let text = e.to_string();
        text.lines().next().unwrap_or_default().to_owned()
    };
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            SecretError::KeyringUnavailable {
                reason: reason(&inner),
            }
        }
        other => SecretError::Keyring {
            reason: reason(&other),
        },
    }
}

impl SecretStore for KeyringStore {
    fn kind(&self) -> &'static str {
        "keyring"
    }

    fn location(&self) -> String {
        format!("OS keyring, service `{SERVICE}`")
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        self.call(key, |e| match e.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(other) => Err(other),
        })
    }

    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError> {
        for (key, value) in items {
            let value = value.clone();
            self.call(key, move |e| e.set_password(value.expose()))?;
        }
        Ok(())
    }

    fn delete_many(&self, keys: &[String]) -> Result<(), SecretError> {
        for key in keys {
            self.call(key, |e| match e.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(other) => Err(other),
            })?;
        }
        Ok(())
    }

    fn probe(&self) -> Result<(), SecretError> {
        self.get("probe").map(|_| ())
    }
}
