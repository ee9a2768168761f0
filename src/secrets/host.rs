//! This host's own age identity, kept in its secret store beside the tokens: the
//! recipient that `sbctl authorize --to` seals a sign-in to on another machine, so
//! that only this host can open what is carried over.

use super::{SecretError, SecretStore};
use crate::domain::token::Secret;
use age::secrecy::ExposeSecret;

/// Where the identity is kept in the secret store.
pub const KEY: &str = "host:identity";

/// This host's identity, if it has one yet.
pub fn existing(store: &dyn SecretStore) -> Result<Option<age::x25519::Identity>, SecretError> {
    store.get(KEY)?.map(|kept| parse(&kept)).transpose()
}

/// This host's identity, made and stored on first use (the caller keeps two first
/// uses apart).
pub fn identity(store: &dyn SecretStore) -> Result<age::x25519::Identity, SecretError> {
    if let Some(kept) = existing(store)? {
        return Ok(kept);
    }
    let made = age::x25519::Identity::generate();
    let text = Secret::new(made.to_string().expose_secret().to_owned());
    store.set_many(&[(KEY.to_owned(), text)])?;
    Ok(made)
}

fn parse(kept: &Secret) -> Result<age::x25519::Identity, SecretError> {
    kept.expose().parse().map_err(|_| SecretError::BadValue {
        key: KEY.to_owned(),
        reason: "not an age secret key".into(),
    })
}

/// `plain` encrypted to the age recipient `to` (`age1…`).
pub fn seal(to: &str, plain: &[u8]) -> Result<Vec<u8>, String> {
    let recipient: age::x25519::Recipient = to
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not an age recipient (age1…)", to.trim()))?;
    age::encrypt(&recipient, plain).map_err(|e| format!("cannot seal it: {e}"))
}

/// Why a sealed line did not open.
#[derive(Debug, PartialEq, Eq)]
pub enum Unopened {
    /// Sealed to another recipient.
    Elsewhere,
    /// Not an age file, or cut short.
    Damaged,
}

/// What `seal` made, opened with this host's identity.
pub fn open(identity: &age::x25519::Identity, sealed: &[u8]) -> Result<Vec<u8>, Unopened> {
    age::decrypt(identity, sealed).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => Unopened::Elsewhere,
        _ => Unopened::Damaged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_what_was_sealed_to_it() {
        let (host, other) = (
            age::x25519::Identity::generate(),
            age::x25519::Identity::generate(),
        );
        let sealed = seal(&host.to_public().to_string(), b"tokens").unwrap();
        assert_eq!(open(&host, &sealed).as_deref(), Ok(&b"tokens"[..]));
        assert_eq!(open(&other, &sealed), Err(Unopened::Elsewhere));
        assert_eq!(
            open(&host, &sealed[..sealed.len() - 9]),
            Err(Unopened::Damaged)
        );
        assert_eq!(open(&host, b"age"), Err(Unopened::Damaged));
        assert!(seal("age1nope", b"x")
            .unwrap_err()
            .contains("not an age recipient"));
    }
}
