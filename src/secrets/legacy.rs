//! The secrets file of sbctl before 0.2: one JSON document (`{"version": 1, "secrets":
//! {...}}`), plain or encrypted whole with age. Read once, to move its secrets into the
//! secrets database (see `file`), with the checks it always had: ours, 0600, not a
//! link, in a directory others cannot write to.

use super::key::Key;
use super::SecretError;
use crate::domain::token::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    version: u32,
    secrets: BTreeMap<String, Secret>,
}

/// The first bytes of every age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Which version of the file is on disk (device, inode, modification time, size): a
/// file changed after it was moved in is not the one that was.
pub fn signature(path: &Path) -> Option<String> {
    fs::symlink_metadata(path).ok().map(|m| {
        format!(
            "{}:{}:{}.{}:{}",
            m.dev(),
            m.ino(),
            m.mtime(),
            m.mtime_nsec(),
            m.size()
        )
    })
}

/// The file's secrets; `None` when there is no file.
pub fn read(
    path: &Path,
    key: Option<&Key>,
) -> Result<Option<BTreeMap<String, Secret>>, SecretError> {
    let Some(bytes) = read_bytes(path, key)? else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| SecretError::Corrupt {
        path: path.to_owned(),
        reason: "not text".into(),
    })?;
    let contents = serde_json::from_str::<Contents>(text).map_err(|e| SecretError::Corrupt {
        path: path.to_owned(),
        // Position only: serde's own words may quote a secret.
        reason: format!(
            "not sbctl's JSON at line {}, column {}",
            e.line(),
            e.column()
        ),
    })?;
    if contents.version != 1 {
        return Err(SecretError::Corrupt {
            path: path.to_owned(),
            reason: format!("version {} is not one sbctl wrote", contents.version),
        });
    }
    Ok(Some(contents.secrets))
}

/// The file's bytes, decrypted, refused when it is not ours or others may read it.
fn read_bytes(path: &Path, key: Option<&Key>) -> Result<Option<Vec<u8>>, SecretError> {
    let io = |e: std::io::Error| SecretError::Io {
        action: "read",
        path: path.to_owned(),
        reason: crate::error::io_reason(&e),
    };
    let mut file = match crate::perms::open_nofollow(path, OpenOptions::new().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(super::not_ours(path, None)),
        Err(e) => return Err(io(e)),
    };
    check_dir(path)?;
    let meta = file.metadata().map_err(io)?;
    super::check_owner_and_mode(path, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(io)?;
    if !bytes.starts_with(AGE_MAGIC) {
        return Ok(Some(bytes));
    }
    let Some(key) = key else {
        return Err(SecretError::Encrypted {
            path: path.to_owned(),
        });
    };
    age::decrypt(&key.identity, &bytes)
        .map(Some)
        .map_err(|_| SecretError::WrongKey {
            path: path.to_owned(),
            key: key.source.clone(),
        })
}

/// Refuses a file in a directory where others could replace it.
fn check_dir(path: &Path) -> Result<(), SecretError> {
    match crate::perms::open_dir(path, true) {
        Some(problem) => Err(SecretError::OpenDir {
            path: path.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}
