//! The OS keyring (Secret Service on Linux and the BSDs, the Keychain on macOS) under
//! service name `sbctl`. Every call runs on its own thread with a deadline: a locked or
//! prompting keyring must not hang cron. A build whose platform store is missing gets
//! keyring's in-memory mock, which `open` refuses.

use super::{SecretError, SecretStore};
use crate::domain::token::Secret;
use std::sync::mpsc;
use std::time::Duration;

pub const SERVICE: &str = "sbctl";

pub struct KeyringStore {
    timeout: Duration,
}

impl KeyringStore {
    /// The platform's keyring, if this build has one that keeps secrets until they
    /// are deleted: anything less (keyring's per-process mock, a store that forgets at
    /// reboot) would lose every token when sbctl exits or the machine restarts.
    pub fn open(timeout: Duration) -> Result<Self, SecretError> {
        persistent(keyring::default::default_credential_builder().persistence())?;
        Ok(KeyringStore { timeout })
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

/// Whether a keyring backend keeps what it is given for good.
fn persistent(p: keyring::credential::CredentialPersistence) -> Result<(), SecretError> {
    use keyring::credential::CredentialPersistence as P;
    let reason = match p {
        P::UntilDelete => return Ok(()),
        P::EntryOnly | P::ProcessOnly => {
            "its keyring backend is an in-memory stand-in: this platform's store was not built in"
        }
        P::UntilReboot => "its keyring backend forgets everything at reboot",
        _ => "its keyring backend does not say how long it keeps secrets",
    };
    Err(SecretError::KeyringNotPersistent { reason })
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
    fn kind(&self) -> super::Kind {
        super::Kind::KeyringItems
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyring_that_forgets_is_refused() {
        // keyring's mock, which it builds where no platform store is enabled.
        let mock = keyring::mock::default_credential_builder().persistence();
        let refused = persistent(mock).unwrap_err();
        assert!(matches!(refused, SecretError::KeyringNotPersistent { .. }));
        assert!(refused.to_string().contains("in-memory"), "{refused}");
        assert!(crate::error::Explained::hint(&refused)
            .unwrap()
            .contains("--secret-store file"));
        assert!(persistent(keyring::credential::CredentialPersistence::UntilReboot).is_err());
    }

    #[test]
    fn this_platforms_keyring_keeps_secrets() {
        let builder = keyring::default::default_credential_builder();
        assert!(persistent(builder.persistence()).is_ok());
        assert!(KeyringStore::open(Duration::from_secs(1)).is_ok());
    }
}
