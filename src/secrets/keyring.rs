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

/// What a run over many items says as it goes: one more item done, or the end.
enum Step<T> {
    Item,
    Done(Result<T, SecretError>),
}

impl KeyringStore {
    /// Runs `op` on a thread of its own, given up on when the deadline of one call
    /// passes without an item done: many items, none of them allowed to hang.
    fn run_long<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn Fn()) -> Result<T, SecretError> + Send + 'static,
        progress: &dyn Fn(),
    ) -> Result<T, SecretError> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let tick = || {
                let _ = tx.send(Step::Item);
            };
            let result = op(&tick);
            let _ = tx.send(Step::Done(result));
        });
        loop {
            match rx.recv_timeout(self.timeout) {
                Ok(Step::Item) => progress(),
                Ok(Step::Done(result)) => return result,
                Err(_) => {
                    return Err(SecretError::KeyringTimeout {
                        seconds: self.timeout.as_secs().max(1),
                    })
                }
            }
        }
    }

    /// The values of those of `names` the keyring holds: in one session where the
    /// keyring is the Secret Service, else one call each. `progress` is told of each
    /// name done.
    pub fn read_many(
        &self,
        names: &[String],
        progress: &dyn Fn(),
    ) -> Result<Vec<(String, Secret)>, SecretError> {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        {
            let names = names.to_vec();
            self.run_long(move |tick| session::read(&names, tick), progress)
        }
        #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
        {
            let mut found = Vec::new();
            for name in names {
                if let Some(value) = self.get(name)? {
                    found.push((name.clone(), value));
                }
                progress();
            }
            Ok(found)
        }
    }

    /// Removes each of `items` whose value is still the one given; those whose value
    /// changed since (renewed by another process) are left and returned, with their new
    /// value.
    pub fn remove_unchanged(
        &self,
        items: &[(String, Secret)],
        progress: &dyn Fn(),
    ) -> Result<Vec<(String, Secret)>, SecretError> {
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        {
            let items = items.to_vec();
            self.run_long(
                move |tick| session::remove_unchanged(&items, tick),
                progress,
            )
        }
        #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
        {
            let mut changed = Vec::new();
            for (name, value) in items {
                match self.get(name)? {
                    Some(now) if now != *value => changed.push((name.clone(), now)),
                    Some(_) => self.delete_many(std::slice::from_ref(name))?,
                    None => {}
                }
                progress();
            }
            Ok(changed)
        }
    }
}

/// Many items in one Secret Service session: one connection and one key exchange,
/// where keyring makes both for every call (about 15 ms each). Only sbctl's items
/// (service `sbctl`, keyring's default target) are looked at; a locked one stops the
/// run rather than prompt.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
mod session {
    use super::{SecretError, SERVICE};
    use crate::domain::token::Secret;
    use dbus_secret_service::{EncryptionType, Item, SecretService};
    use std::collections::HashMap;

    fn failed(e: dbus_secret_service::Error) -> SecretError {
        use dbus_secret_service::Error as E;
        let reason = e.to_string().lines().next().unwrap_or_default().to_owned();
        match e {
            E::Dbus(_) | E::Unavailable | E::Locked | E::Prompt => {
                SecretError::KeyringUnavailable { reason }
            }
            _ => SecretError::Keyring { reason },
        }
    }

    /// sbctl's items, by name.
    fn items(ss: &SecretService) -> Result<HashMap<String, Item<'_>>, SecretError> {
        let found = ss
            .search_items(HashMap::from([("service", SERVICE)]))
            .map_err(failed)?;
        if !found.locked.is_empty() {
            return Err(SecretError::KeyringUnavailable {
                reason: "the keyring is locked".into(),
            });
        }
        let mut named = HashMap::new();
        for item in found.unlocked {
            let attributes = item.get_attributes().map_err(failed)?;
            if attributes.get("target").is_some_and(|t| t != "default") {
                continue;
            }
            if let Some(name) = attributes.get("username") {
                named.insert(name.clone(), item);
            }
        }
        Ok(named)
    }

    fn value(name: &str, item: &Item<'_>) -> Result<Secret, SecretError> {
        let bytes = item.get_secret().map_err(failed)?;
        String::from_utf8(bytes)
            .map(Secret::new)
            .map_err(|_| SecretError::BadValue {
                key: name.to_owned(),
                reason: "not text".into(),
            })
    }

    fn connect() -> Result<SecretService, SecretError> {
        SecretService::connect(EncryptionType::Dh).map_err(failed)
    }

    pub fn read(names: &[String], tick: &dyn Fn()) -> Result<Vec<(String, Secret)>, SecretError> {
        let ss = connect()?;
        let items = items(&ss)?;
        let mut found = Vec::new();
        for name in names {
            if let Some(item) = items.get(name) {
                found.push((name.clone(), value(name, item)?));
            }
            tick();
        }
        Ok(found)
    }

    pub fn remove_unchanged(
        given: &[(String, Secret)],
        tick: &dyn Fn(),
    ) -> Result<Vec<(String, Secret)>, SecretError> {
        let ss = connect()?;
        let items = items(&ss)?;
        let mut changed = Vec::new();
        for (name, was) in given {
            if let Some(item) = items.get(name) {
                let now = value(name, item)?;
                if now == *was {
                    item.delete().map_err(failed)?;
                    #[cfg(debug_assertions)]
                    crate::interrupt::pause_point("keyring-move-removing");
                } else {
                    changed.push((name.clone(), now));
                }
            }
            tick();
        }
        Ok(changed)
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
