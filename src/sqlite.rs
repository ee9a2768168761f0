//! What sbctl's two SQLite files (the profile database and the secrets database)
//! share: each is created 0600 in a 0700 directory before SQLite opens it, and runs in
//! WAL mode.

use rusqlite::{Connection, ErrorCode};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a statement waits for another process's write to end.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// Creates the directory of `path` (0700) and `path` itself (0600, empty) unless they
/// exist: SQLite would create the file with the process's umask.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// SQLite opens a database's companions (`-wal`, `-shm`, `-journal`) by name: the
/// first that is a symbolic link or another user's, which would receive what sbctl
/// writes.
pub fn foreign_companion(path: &Path) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::MetadataExt;
    ["-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| std::path::PathBuf::from(format!("{}{suffix}", path.display())))
        .find(|companion| {
            std::fs::symlink_metadata(companion)
                .is_ok_and(|m| m.file_type().is_symlink() || m.uid() != crate::perms::euid())
        })
}

/// Puts the database in WAL mode. The mode is kept in the file, so only a new database
/// needs it set; setting it needs a moment alone with the file, and SQLite answers
/// "busy" at once, without the busy timeout, when another process opens the same new
/// file: retry then.
pub fn enable_wal(conn: &Connection) -> rusqlite::Result<()> {
    keep_wal(conn);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let started = Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Keeps the log (`-wal`) and its index (`-shm`) beside the database when the last
/// connection closes, instead of deleting them and creating them again in the next
/// process, which was a third of what `token` cost. The last to close checkpoints and
/// empties the log (a `journal_size_limit` is set), so nothing waits in it.
/// SQLite's `SQLITE_FCNTL_PERSIST_WAL`; a build without it deletes them as before.
fn keep_wal(conn: &Connection) {
    let _ = conn.pragma_update(None, "journal_size_limit", 4 << 20);
    let mut on: std::ffi::c_int = 1;
    // SAFETY: the handle is open for the call; the argument is the int the file control
    // reads and writes.
    unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&mut on as *mut std::ffi::c_int).cast(),
        );
    }
}

/// An SQLite error in words for people.
pub fn reason(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            "another sbctl process kept it busy for too long; try again".into()
        }
        Some(ErrorCode::CannotOpen) => "cannot open the file".into(),
        Some(ErrorCode::ReadOnly) => "the file is read-only".into(),
        Some(ErrorCode::PermissionDenied) => "permission denied".into(),
        Some(ErrorCode::DiskFull) => "the disk is full".into(),
        _ => e.to_string(),
    }
}

/// Whether `e` means the disk of `path` is full: SQLite in WAL mode reports that as a
/// plain I/O error, so the disk is asked.
pub fn disk_full(e: &rusqlite::Error, path: &Path) -> bool {
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => true,
        Some(ErrorCode::SystemIoFailure) => crate::perms::disk_full(path),
        _ => false,
    }
}

/// What a file says it is: its application id, its schema version and how many
/// tables it has (all 0 for a new file). The first statement to read the file, and so
/// the one that finds it damaged.
pub fn identity(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id), \
                (SELECT user_version FROM pragma_user_version), \
                (SELECT count(*) FROM sqlite_master)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}
