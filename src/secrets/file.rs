//! Secrets in one JSON file, mode 0600 in a 0700 directory. Every change rewrites the
//! whole file under a lock (`<file>.lock`): a temporary file is written, fsynced and
//! renamed over the old one, so a reader or a crash sees the old file or the new one.
//! With a key (`SBCTL_SECRETS_KEY_FILE`, `SBCTL_SECRETS_KEY` or `secrets_key_file`) the
//! file is encrypted with age (age-encryption.org/v1, X25519), so that a copied disk
//! or backup does not give the tokens away; `age -d -i KEY secrets.json` opens it.

use super::{SecretError, SecretStore};
use crate::domain::token::Secret;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    version: u32,
    secrets: BTreeMap<String, Secret>,
}

/// The age identity that encrypts the secrets file, and where it came from.
pub struct Key {
    identity: age::x25519::Identity,
    source: String,
}

/// The first bytes of every age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

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

    /// A key file, refused when others may read it.
    pub fn from_file(path: &Path) -> Result<Key, String> {
        let shown = path.display();
        let meta = fs::metadata(path).map_err(|e| {
            format!(
                "cannot read the secrets key {shown}: {}",
                crate::error::io_reason(&e)
            )
        })?;
        if meta.mode() & 0o077 != 0 {
            return Err(format!(
                "the secrets key {shown} can be read by others (mode {:o}); run `chmod 600 {shown}`",
                meta.mode() & 0o777
            ));
        }
        let text = fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the secrets key {shown}: {}",
                crate::error::io_reason(&e)
            )
        })?;
        Key::from_text(&text, shown.to_string())
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

pub struct FileStore {
    path: PathBuf,
    key: Option<Key>,
    /// The file's identity at the last single-key lookup. A file that has not changed
    /// since is worth loading whole and caching (`check` reads every key); one that keeps
    /// changing (other renewers writing) is searched key by key, never held whole.
    last_lookup: std::cell::Cell<Signature>,
    buffer: std::cell::Cell<String>,
    /// What this process last read, with the file's identity then. A reader re-reads
    /// when the file was replaced (another process renewed a token), so a rotated
    /// refresh token is never read stale; writes always re-read under the lock.
    cache: RefCell<Option<(Signature, BTreeMap<String, Secret>)>>,
}

/// Which version of the file is on disk: every write replaces the inode.
type Signature = Option<(u64, u64, i64, i64, u64)>;

fn signature(path: &Path) -> Signature {
    fs::metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino(), m.mtime(), m.mtime_nsec(), m.size()))
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        FileStore {
            path,
            key: None,
            last_lookup: std::cell::Cell::new(None),
            buffer: std::cell::Cell::new(String::new()),
            cache: RefCell::new(None),
        }
    }

    /// Encrypts the file with `key` from its next write on.
    pub fn with_key(mut self, key: Option<Key>) -> Self {
        self.key = key;
        self
    }

    fn io(&self, action: &'static str, path: &Path, e: std::io::Error) -> SecretError {
        SecretError::Io {
            action,
            path: path.to_owned(),
            reason: crate::error::io_reason(&e),
        }
    }

    /// Reads the file's text, refusing it when others may read it. Missing: `None`.
    fn read_text(&self) -> Result<Option<String>, SecretError> {
        let mut text = String::new();
        Ok(self.read_text_into(&mut text)?.then_some(text))
    }

    /// Reads the file's text into `text` (reusing its capacity); `false` if missing.
    fn read_text_into(&self, text: &mut String) -> Result<bool, SecretError> {
        let mut file = match crate::perms::open_nofollow(&self.path, OpenOptions::new().read(true))
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(self.not_ours(&self.path, None))
            }
            Err(e) => return Err(self.io("read", &self.path, e)),
        };
        self.check_dir()?;
        let meta = file
            .metadata()
            .map_err(|e| self.io("read", &self.path, e))?;
        if meta.uid() != crate::perms::euid() {
            return Err(self.not_ours(&self.path, Some(meta.uid())));
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretError::TooOpen {
                path: self.path.clone(),
                mode,
            });
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        std::io::Read::read_to_end(&mut file, &mut bytes)
            .map_err(|e| self.io("read", &self.path, e))?;
        if bytes.starts_with(AGE_MAGIC) {
            let Some(key) = &self.key else {
                return Err(SecretError::Encrypted {
                    path: self.path.clone(),
                });
            };
            bytes = age::decrypt(&key.identity, &bytes).map_err(|_| SecretError::WrongKey {
                path: self.path.clone(),
                key: key.source.clone(),
            })?;
        }
        text.clear();
        text.push_str(
            std::str::from_utf8(&bytes).map_err(|_| SecretError::Corrupt {
                path: self.path.clone(),
                reason: "not text".into(),
            })?,
        );
        Ok(true)
    }

    fn not_ours(&self, path: &Path, uid: Option<u32>) -> SecretError {
        SecretError::NotOurs {
            path: path.to_owned(),
            uid: uid.unwrap_or_else(|| fs::symlink_metadata(path).map_or(0, |m| m.uid())),
        }
    }

    /// Refuses a file in a directory where others could replace it.
    fn check_dir(&self) -> Result<(), SecretError> {
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
        match dir.and_then(crate::perms::open_dir) {
            Some(mode) => Err(SecretError::OpenDir {
                path: self.path.clone(),
                mode,
            }),
            None => Ok(()),
        }
    }

    fn corrupt(&self, e: serde_json::Error) -> SecretError {
        SecretError::Corrupt {
            path: self.path.clone(),
            // Position only: serde's own words may quote a secret.
            reason: format!(
                "not sbctl's JSON at line {}, column {}",
                e.line(),
                e.column()
            ),
        }
    }

    /// Reads the whole file. Missing means empty.
    fn load(&self) -> Result<BTreeMap<String, Secret>, SecretError> {
        match self.read_text()? {
            None => Ok(BTreeMap::new()),
            Some(text) => serde_json::from_str::<Contents>(&text)
                .map(|c| c.secrets)
                .map_err(|e| self.corrupt(e)),
        }
    }

    /// Looks up one key without parsing the whole file. sbctl writes the file pretty
    /// printed, one entry per line, and a JSON string never holds a raw line break, so
    /// `\n    "<key>": ` can only be the start of that key's entry. Anything else (a file
    /// edited by hand, a key not found) takes the full parse.
    fn load_one(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        // One buffer per store, reused: a renewer looks keys up hundreds of times.
        let mut text = self.buffer.take();
        let found = self.read_text_into(&mut text).and_then(|present| {
            if present {
                self.find_in(&text, key)
            } else {
                Ok(None)
            }
        });
        self.buffer.replace(text);
        found
    }

    fn find_in(&self, text: &str, key: &str) -> Result<Option<Secret>, SecretError> {
        let canonical = text.starts_with("{\n  \"version\": 1,\n  \"secrets\": {");
        let entry = format!(
            "\n    {}: ",
            serde_json::to_string(key).expect("strings serialize")
        );
        // memmem: a SIMD search, several times faster than `str::find` on large files.
        if let (true, Some(at)) = (
            canonical,
            memchr::memmem::find(text.as_bytes(), entry.as_bytes()),
        ) {
            let rest = &text[at + entry.len()..];
            if let Some(Ok(value)) = serde_json::Deserializer::from_str(rest)
                .into_iter::<Secret>()
                .next()
            {
                return Ok(Some(value));
            }
        }
        match serde_json::from_str::<Contents>(text) {
            Ok(c) => Ok(c.secrets.get(key).cloned()),
            Err(e) => Err(self.corrupt(e)),
        }
    }

    fn cached(&self) -> Result<std::cell::Ref<'_, BTreeMap<String, Secret>>, SecretError> {
        let now = signature(&self.path);
        let fresh = matches!(&*self.cache.borrow(), Some((sig, _)) if *sig == now && now.is_some());
        if !fresh {
            let loaded = self.load()?;
            *self.cache.borrow_mut() = Some((now, loaded));
        }
        Ok(std::cell::Ref::map(self.cache.borrow(), |c| {
            &c.as_ref().expect("just filled").1
        }))
    }

    /// Applies `change` to the current contents under the lock and replaces the file.
    fn modify(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, Secret>),
    ) -> Result<(), SecretError> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| self.io("create the directory of", &self.path, e))?;
        self.check_dir()?;
        let lock_path = self.path.with_extension("json.lock");
        let lock = crate::perms::open_nofollow(
            &lock_path,
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o600),
        )
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => self.not_ours(&lock_path, None),
            _ => self.io("lock", &lock_path, e),
        })?;
        let owner = lock
            .metadata()
            .map_err(|e| self.io("lock", &lock_path, e))?
            .uid();
        if owner != crate::perms::euid() {
            return Err(self.not_ours(&lock_path, Some(owner)));
        }
        lock.lock().map_err(|e| self.io("lock", &lock_path, e))?;

        let mut secrets = self.load()?;
        change(&mut secrets);
        let contents = Contents {
            version: 1,
            secrets,
        };
        // A name nobody can guess, created only if it does not exist (O_EXCL, which
        // also refuses a symbolic link): the file is provably ours, even in a shared
        // directory where others could otherwise plant one for us to fill.
        let tmp = dir.join(format!(
            ".{}.tmp-{:016x}",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("secrets"),
            rand::random::<u64>()
        ));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            let mut text = serde_json::to_vec_pretty(&contents).expect("secrets serialize");
            text.push(b'\n');
            if let Some(key) = &self.key {
                text = age::encrypt(&key.identity.to_public(), &text)
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
            }
            f.write_all(&text)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            // The rename itself must reach the disk before we say it is stored.
            File::open(dir)?.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(self.io("write", &self.path, e));
        }
        *self.cache.borrow_mut() = Some((signature(&self.path), contents.secrets));
        Ok(())
    }
}

impl SecretStore for FileStore {
    fn kind(&self) -> super::Kind {
        super::Kind::File
    }

    fn location(&self) -> String {
        let Some(key) = &self.key else {
            return self.path.display().to_string();
        };
        // A plain file from before the key was set is encrypted at its next write.
        let mut head = [0u8; AGE_MAGIC.len()];
        let plain_now = File::open(&self.path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| head != AGE_MAGIC);
        let when = if plain_now { "at its next write" } else { "" };
        format!(
            "{}, encrypted with age {when}(key from {})",
            self.path.display(),
            key.source
        )
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, SecretError> {
        let now = signature(&self.path);
        let cache_fresh =
            matches!(&*self.cache.borrow(), Some((sig, _)) if *sig == now && now.is_some());
        let stable = now.is_some() && self.last_lookup.get() == now;
        if cache_fresh || stable {
            return Ok(self.cached()?.get(key).cloned());
        }
        self.last_lookup.set(now);
        *self.cache.borrow_mut() = None;
        self.load_one(key)
    }

    fn set_many(&self, items: &[(String, Secret)]) -> Result<(), SecretError> {
        self.modify(|secrets| {
            for (key, value) in items {
                secrets.insert(key.clone(), value.clone());
            }
        })
    }

    fn delete_many(&self, keys: &[String]) -> Result<(), SecretError> {
        self.modify(|secrets| {
            for key in keys {
                secrets.remove(key);
            }
        })
    }

    fn probe(&self) -> Result<(), SecretError> {
        self.load().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn secret(s: &str) -> Secret {
        Secret::new(s.into())
    }

    #[test]
    fn writes_0600_and_reads_back_in_another_instance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secrets.json");
        let store = FileStore::new(path.clone());
        assert_eq!(store.get("a").unwrap(), None);
        store
            .set_many(&[("a".into(), secret("1")), ("b".into(), secret("2"))])
            .unwrap();
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
            0o700
        );
        let again = FileStore::new(path.clone());
        assert_eq!(again.get("b").unwrap(), Some(secret("2")));
        again.delete_many(&["a".into(), "zz".into()]).unwrap();
        assert_eq!(FileStore::new(path).get("a").unwrap(), None);
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            leftovers.iter().all(|n| !n.contains("tmp")),
            "{leftovers:?}"
        );
    }

    #[test]
    fn loose_permissions_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        FileStore::new(path.clone())
            .set_many(&[("a".into(), secret("1"))])
            .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let before = fs::read(&path).unwrap();
        let store = FileStore::new(path.clone());
        assert!(matches!(
            store.get("a"),
            Err(SecretError::TooOpen { mode: 0o644, .. })
        ));
        assert!(store.set_many(&[("b".into(), secret("2"))]).is_err());
        assert_eq!(fs::read(&path).unwrap(), before);
    }

    #[test]
    fn damaged_file_is_reported_without_its_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        fs::write(&path, r#"{"version":1,"secrets":{"a":"s3cr3t""#).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let err = FileStore::new(path).get("a").unwrap_err().to_string();
        assert!(err.contains("damaged") && !err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn one_key_is_found_without_the_full_parse_and_the_same_as_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let tricky = r#"{"access_token":"a\n    \"profile:b\": \"fake\"","x":1}"#;
        FileStore::new(path.clone())
            .set_many(&[
                ("profile:a".into(), secret(tricky)),
                ("profile:b".into(), secret("real-b")),
                ("client:c".into(), secret("c")),
            ])
            .unwrap();
        for (key, want) in [
            ("profile:a", Some(tricky)),
            ("profile:b", Some("real-b")),
            ("profile:z", None),
        ] {
            let fast = FileStore::new(path.clone()).load_one(key).unwrap();
            assert_eq!(fast, want.map(secret), "{key}");
        }
        // A file laid out by hand is read by the full parse.
        fs::write(&path, r#"{"version":1,"secrets":{"profile:b":"hand"}}"#).unwrap();
        assert_eq!(
            FileStore::new(path).get("profile:b").unwrap(),
            Some(secret("hand"))
        );
    }

    #[test]
    fn a_reader_sees_what_another_writer_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let reader = FileStore::new(path.clone());
        let writer = FileStore::new(path);
        writer.set_many(&[("k".into(), secret("old"))]).unwrap();
        assert_eq!(reader.get("k").unwrap(), Some(secret("old")));
        writer.set_many(&[("k".into(), secret("new"))]).unwrap();
        assert_eq!(
            reader.get("k").unwrap(),
            Some(secret("new")),
            "no stale cache"
        );
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = FileStore::new(path);
                    for i in 0..10 {
                        store
                            .set_many(&[(format!("k{t}-{i}"), secret("v"))])
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let store = FileStore::new(path);
        for t in 0..8 {
            for i in 0..10 {
                assert!(
                    store.get(&format!("k{t}-{i}")).unwrap().is_some(),
                    "k{t}-{i}"
                );
            }
        }
    }

    #[test]
    fn an_encrypted_file_opens_with_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let secret = |s: &str| Secret::new(s.into());
        // A plain file, then a key: read as it is, encrypted at the next write.
        FileStore::new(path.clone())
            .set_many(&[("a".into(), secret("plain-token"))])
            .unwrap();
        let sealed = FileStore::new(path.clone()).with_key(Some(Key::generate()));
        assert_eq!(sealed.get("a").unwrap(), Some(secret("plain-token")));
        sealed
            .set_many(&[("b".into(), secret("sealed-token"))])
            .unwrap();
        let bytes = fs::read(&path).unwrap();
        assert!(bytes.starts_with(AGE_MAGIC));
        assert!(memchr::memmem::find(&bytes, b"token").is_none());
        assert_eq!(sealed.get("b").unwrap(), Some(secret("sealed-token")));
        assert!(matches!(
            FileStore::new(path.clone()).get("a"),
            Err(SecretError::Encrypted { .. })
        ));
        let other = FileStore::new(path.clone()).with_key(Some(Key::generate()));
        assert!(matches!(other.get("a"), Err(SecretError::WrongKey { .. })));
        assert!(other.set_many(&[("c".into(), secret("x"))]).is_err());
        assert_eq!(
            fs::read(&path).unwrap(),
            bytes,
            "a wrong key overwrites nothing"
        );
        assert!(Key::from_text("# only a comment\n", "k".into()).is_err());
        assert!(Key::from_text("AGE-SECRET-KEY-1NOTAKEY", "k".into()).is_err());
    }
}
