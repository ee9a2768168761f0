//! The age key that encrypts secrets at rest: an X25519 identity from
//! `SBCTL_SECRETS_KEY`, `SBCTL_SECRETS_KEY_FILE` or `secrets_key_file`.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The age identity that encrypts the secrets file, and where it came from.
pub struct Key {
    pub(super) identity: age::x25519::Identity,
    /// Where it came from, for messages: a file's path or an environment variable.
    pub(super) source: String,
}

impl Key {
    /// An `AGE-SECRET-KEY-1...` line (as `age-keygen` writes it; `#` comments skipped).
    pub fn from_text(text: &str, source: String) -> Result<Key, String> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or_else(|| format!("{source} holds no key"))?;
        let identity = line.parse::<age::x25519::Identity>().map_err(|_| {
            format!("{source} does not hold an age secret key (AGE-SECRET-KEY-1...)")
        })?;
        Ok(Key { identity, source })
    }

    /// A key file, refused when another user owns it or others may read it (but a
    /// systemd credential: `is_credential`).
    pub fn from_file(path: &Path) -> Result<Key, String> {
        let shown = path.display();
        let meta = fs::metadata(path).map_err(|e| {
            format!(
                "cannot read the secrets key {shown}: {}",
                crate::error::io_reason(&e)
            )
        })?;
        let credentials = std::env::var_os("CREDENTIALS_DIRECTORY");
        if is_credential(path, credentials.as_deref().map(Path::new)) {
            // Systemd's ACL shows as group bits; others still may not read it.
            if meta.mode() & 0o007 != 0 {
                return Err(format!(
                    "the secrets key {shown} can be read by every user (mode {:o})",
                    meta.mode() & 0o777
                ));
            }
            return Key::read(path);
        }
        // Whoever owns the key file can read it, mode or not, and so open any copy
        // of the secrets.
        if meta.uid() != crate::perms::euid() {
            return Err(format!(
                "the secrets key {shown} belongs to another user (uid {}), who can read it; use a key file of your own",
                meta.uid()
            ));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(format!(
                "the secrets key {shown} can be read by others (mode {:o}); run `chmod 600 {shown}`",
                meta.mode() & 0o777
            ));
        }
        Key::read(path)
    }

    fn read(path: &Path) -> Result<Key, String> {
        let shown = path.display();
        let text = fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the secrets key {shown}: {}",
                crate::error::io_reason(&e)
            )
        })?;
        Key::from_text(&text, shown.to_string())
    }

    /// The key as `age-keygen` writes it, for tests.
    #[cfg(test)]
    pub fn to_text(&self) -> String {
        use age::secrecy::ExposeSecret;
        self.identity.to_string().expose_secret().to_owned()
    }

    /// A new key, for tests.
    #[cfg(test)]
    pub fn generate() -> Key {
        Key {
            identity: age::x25519::Identity::generate(),
            source: "a test key".into(),
        }
    }
}

/// Whether `path` is a credential systemd handed to this service (`LoadCredential=`,
/// read at `$CREDENTIALS_DIRECTORY/<name>`): systemd made it readable by the service's
/// user alone, by ownership or by an ACL on a file root owns (whose mode then shows the
/// ACL's mask as group bits), in a directory of the service's own that only its owner
/// (root, or the service's user) may change. Its owner and group bits say less than
/// that, so they are not judged. Whoever could set `CREDENTIALS_DIRECTORY` for sbctl
/// could set `SBCTL_SECRETS_KEY_FILE` too.
fn is_credential(path: &Path, credentials: Option<&Path>) -> bool {
    let (Some(dir), Some(parent)) = (credentials, path.parent()) else {
        return false;
    };
    let (Ok(dir), Ok(parent)) = (fs::canonicalize(dir), fs::canonicalize(parent)) else {
        return false;
    };
    let Ok(meta) = fs::metadata(&dir) else {
        return false;
    };
    let owner_ok = meta.uid() == 0 || meta.uid() == crate::perms::euid();
    dir == parent && owner_ok && meta.mode() & 0o022 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_file_directly_in_the_credentials_directory_is_a_credential() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("credentials");
        fs::create_dir_all(credentials.join("deeper")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&credentials, fs::Permissions::from_mode(0o500)).unwrap();
        let key = credentials.join("secrets.key");
        assert!(is_credential(&key, Some(&credentials)));
        // Through another name for the same directory.
        assert!(is_credential(
            &credentials.join("deeper/../secrets.key"),
            Some(&credentials)
        ));
        assert!(!is_credential(
            &credentials.join("deeper/secrets.key"),
            Some(&credentials)
        ));
        assert!(!is_credential(
            &dir.path().join("secrets.key"),
            Some(&credentials)
        ));
        assert!(!is_credential(&key, None));
        // Not a directory only its owner may change: not systemd's.
        fs::set_permissions(&credentials, fs::Permissions::from_mode(0o775)).unwrap();
        assert!(!is_credential(&key, Some(&credentials)));
    }
}
