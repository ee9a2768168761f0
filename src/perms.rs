//! Who may touch sbctl's files: their owner only. A file others may read is made
//! private again (the database) or refused (the secrets file, which may already have
//! been read); a directory others may write to, or that another user owns, is refused,
//! since whoever can write there can replace the file sbctl then trusts.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// This process's effective user id: the owner every file sbctl trusts must have.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Opens `path` without following a symbolic link (`O_NOFOLLOW`), for a file that
/// holds or guards secrets: a link planted by another user fails instead of leading
/// sbctl to a file of that user's choosing.
pub fn open_nofollow(
    path: &Path,
    options: &mut std::fs::OpenOptions,
) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW).open(path)
}

/// Replaces `path` at once with what `fill` writes: written to a temp file of an
/// unguessable name, created exclusively beside it, synced, then renamed over it. A reader sees
/// the old file or the new one, never half of it.
pub fn write_atomically(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{:016x}", rand::random::<u64>()));
    let write = || -> std::io::Result<()> {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// What to do about a full disk; the write that failed changed nothing.
pub const DISK_FULL_HINT: &str =
    "nothing was lost (the write that failed changed nothing): free some space on that disk and run the command again";

/// Whether the file system holding `path` has (next to) no room left: less than
/// 64 KiB free for this user.
pub fn disk_full(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid C string and `stat` a properly sized, writable struct.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return false;
    }
    (stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64) < 64 * 1024
}

/// The directory a file lives in: its parent, or the current directory for a bare
/// name (`--db sbctl.db` is judged by `.`, which is as much a directory as any).
pub fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Why another user could replace or remove a file in a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// Others may create or rename files in it (its mode).
    Writable(u32),
    /// It belongs to another user (not root), who may do anything in it.
    Owner(u32),
}

impl std::fmt::Display for Exposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exposure::Writable(mode) => write!(f, "others can write to (mode {mode:o})"),
            Exposure::Owner(uid) => write!(f, "another user owns (uid {uid})"),
        }
    }
}

/// Whether users other than this one (and root) could replace or remove files in the
/// directory of `path`: it belongs to another user, or others may write to it. A
/// sticky directory (as `/tmp`) passes only with `sticky_ok`: there others cannot
/// replace a file, but may take the name of one not made yet, such as SQLite's log.
/// A directory that does not exist yet passes: sbctl makes it, 0700.
pub fn open_dir(path: &Path, sticky_ok: bool) -> Option<Exposure> {
    let meta = std::fs::metadata(dir_of(path)).ok()?;
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid() && meta.uid() != 0 {
        Some(Exposure::Owner(meta.uid()))
    } else if mode & 0o022 != 0 && !(sticky_ok && mode & 0o1000 != 0) {
        Some(Exposure::Writable(mode))
    } else {
        None
    }
}

/// The hint for a directory others could change.
pub fn open_dir_hint(path: &Path, problem: Exposure, setting: &str) -> String {
    let dir = dir_of(path).display();
    match problem {
        Exposure::Writable(_) => format!(
            "run `chmod go-w {dir}`, or set {setting} to a file in a directory only you can write"
        ),
        Exposure::Owner(_) => {
            format!("set {setting} to a file in a directory of your own (not {dir})")
        }
    }
}

/// A file others may change: not this user's (nor root's), or writable by others.
pub fn loose_file(meta: &std::fs::Metadata) -> Option<Exposure> {
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid() && meta.uid() != 0 {
        Some(Exposure::Owner(meta.uid()))
    } else if mode & 0o022 != 0 {
        Some(Exposure::Writable(mode))
    } else {
        None
    }
}

/// Why an output file (a report, metrics) must not replace what is at `path`: it is
/// one of `own` (sbctl's database, secrets, config or key, under any name), or an
/// SQLite database, whatever its name.
pub fn precious(path: &Path, own: &[&Path]) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    let same = |p: &&Path| {
        std::fs::metadata(p).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino())
    };
    if own.iter().any(same) {
        return Some("it is one of sbctl's own files");
    }
    // Only a regular file is read: a pipe or a terminal would wait for input.
    if !meta.is_file() {
        return None;
    }
    let mut head = [0u8; 16];
    let sqlite = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0");
    sqlite.then_some("it is an SQLite database")
}

/// Makes `path` readable by its owner only when it is not; returns the mode it had.
/// Only a regular file, never through a symlink (whose target may be anyone's).
pub fn make_private(path: &Path) -> std::io::Result<Option<u32>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mode = meta.mode() & 0o777;
    if !meta.file_type().is_file() || mode & 0o077 == 0 {
        return Ok(None);
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    Ok(Some(mode))
}

/// Keeps tokens out of core files, as ssh-agent and gpg-agent do: no core dump
/// (`RLIMIT_CORE` 0, which a child inherits too), and on Linux the process is not
/// dumpable, which also keeps other processes of the same user from attaching to it
/// or reading its memory. Best effort: a failure leaves the limits as they were.
pub fn forbid_core_dumps() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads a properly initialised struct; prctl takes plain integers.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// This machine's name, from the kernel.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_directories_and_loose_files() {
        let dir = tempfile::tempdir().unwrap();
        let set = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        let inside = dir.path().join("db");
        set(dir.path(), 0o700);
        assert_eq!(open_dir(&inside, false), None);
        set(dir.path(), 0o775);
        assert_eq!(open_dir(&inside, true), Some(Exposure::Writable(0o775)));
        set(dir.path(), 0o1777);
        assert_eq!(
            open_dir(&inside, true),
            None,
            "sticky: others cannot replace our files"
        );
        assert_eq!(
            open_dir(&inside, false),
            Some(Exposure::Writable(0o1777)),
            "but may take a new file's name first"
        );
        set(dir.path(), 0o755);
        assert_eq!(open_dir(&inside, false), None);
        assert_eq!(dir_of(Path::new("sbctl.db")), Path::new("."));
        assert_eq!(dir_of(Path::new("/a/b.db")), Path::new("/a"));
        if euid() == 0 {
            // Another user's directory, however closed.
            let theirs = dir.path().join("theirs");
            std::fs::create_dir(&theirs).unwrap();
            set(&theirs, 0o700);
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            assert_eq!(
                open_dir(&theirs.join("db"), true),
                Some(Exposure::Owner(65534))
            );
        }
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        set(&file, 0o644);
        assert_eq!(make_private(&file).unwrap(), Some(0o644));
        assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o777, 0o600);
        assert_eq!(make_private(&file).unwrap(), None);
        assert_eq!(make_private(&dir.path().join("missing")).unwrap(), None);
        // Never through a symlink.
        let target = dir.path().join("target");
        std::fs::write(&target, "x").unwrap();
        set(&target, 0o664);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(make_private(&link).unwrap(), None);
        assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o777, 0o664);
    }
}
