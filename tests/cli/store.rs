//! The profile database on disk: creation, refusal of what is not ours, no secrets.

use crate::support::{bytes_with_companions, contains, mode, Env};

#[test]
fn created_on_first_use_private_to_the_user() {
    let env = Env::new();
    env.run(&["profiles", "list"]).success();
    assert_eq!(mode(&env.db_path()), 0o600);
    assert_eq!(mode(env.db_path().parent().unwrap()), 0o700);
    let conn = rusqlite::Connection::open(env.db_path()).unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 12);
}

#[test]
fn no_token_ever_reaches_the_database_file() {
    let env = Env::new();
    env.add(
        "a",
        "x",
        r#"{"access_token":"ACCESS-needle-1","refresh_token":"REFRESH-needle-2","expires_in":3600}"#,
    );
    env.run_with_stdin(
        &["profiles", "import", "-"],
        r#"{"id":"b","network":"x","token":{"access_token":"ACCESS-needle-3"}}"#,
    )
    .success();
    env.run(&["check"]).success();
    let bytes = bytes_with_companions(&env.db_path());
    assert!(bytes.len() > 4096, "the database was read");
    for needle in ["ACCESS-needle-1", "REFRESH-needle-2", "ACCESS-needle-3"] {
        assert!(!contains(&bytes, needle), "{needle} found in the database");
    }
    // ...and the tokens are where they belong.
    assert!(contains(
        &bytes_with_companions(&env.secrets_path()),
        "REFRESH-needle-2"
    ));
}

#[test]
fn a_damaged_database_is_refused_and_left_untouched() {
    let env = Env::new();
    std::fs::create_dir_all(env.db_path().parent().unwrap()).unwrap();
    let junk: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(env.db_path(), &junk).unwrap();
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("is damaged or not an SQLite file")
        .stderr_has("the file was left untouched");
    env.run_with_stdin(
        &["profiles", "add", "a", "--network", "x", "--with-token"],
        "t",
    )
    .code(1);
    assert_eq!(std::fs::read(env.db_path()).unwrap(), junk);
    assert!(
        !env.secrets_path().exists(),
        "no token stored for a profile that cannot exist"
    );
}

#[test]
fn a_truncated_database_is_refused() {
    let env = Env::new();
    env.add("a", "x", "t");
    env.sql("PRAGMA wal_checkpoint(TRUNCATE)");
    let full = std::fs::read(env.db_path()).unwrap();
    std::fs::write(env.db_path(), &full[..100]).unwrap();
    env.run(&["profiles", "list"]).code(1).stderr_has("damaged");
    assert_eq!(std::fs::read(env.db_path()).unwrap(), &full[..100]);
}

#[test]
fn a_database_from_a_newer_sbctl_is_refused() {
    let env = Env::new();
    env.add("a", "x", "t");
    env.sql("PRAGMA user_version = 42");
    env.run(&["profiles", "list"]).code(1).stderr_has(
        "was written by a newer sbctl (schema 42; this sbctl knows up to 12)\nhint: upgrade sbctl",
    );
    env.run(&["token", "a"]).code(1);
}

#[test]
fn another_programs_database_is_refused() {
    let env = Env::new();
    std::fs::create_dir_all(env.db_path().parent().unwrap()).unwrap();
    rusqlite::Connection::open(env.db_path())
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("is an SQLite file but not an sbctl database");
    let body: String = rusqlite::Connection::open(env.db_path())
        .unwrap()
        .query_row("SELECT body FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "keep me");
}

#[test]
fn parallel_processes_on_a_new_database_lose_nothing() {
    let bin = assert_cmd::cargo::cargo_bin("sbctl");
    let env2 = Env::new();
    let procs: Vec<_> = (0..6)
        .map(|i| {
            let mut cmd = std::process::Command::new(&bin);
            cmd.env_clear()
                .env("XDG_DATA_HOME", env2.root().join("data"))
                .env("HOME", env2.root().join("home"))
                .env("SBCTL_SECRET_STORE", "file")
                .args(["profiles", "import", "-"])
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(
                    format!(r#"{{"id":"q{i}","network":"x","token":{{"access_token":"t{i}"}}}}"#)
                        .as_bytes(),
                )
                .unwrap();
            child
        })
        .collect();
    for p in procs {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listed = env2.run(&["profiles", "list", "--json"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 6);
    assert_eq!(env2.secrets().len(), 6, "no lost secret");
}

#[test]
fn loose_permissions_are_repaired_or_refused() {
    use std::os::unix::fs::PermissionsExt;
    let set = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let mut env = Env::new();
    env.add("acme", "x", "tok-1");
    // A database others may read (a restored backup, a careless umask) is made private.
    set(&env.db_path(), 0o644);
    env.run(&["profiles", "list"]).success().stderr_has(
        "sbctl.db (with its -wal and -shm files) was readable by others (mode 644); it is now readable by you only (600)",
    );
    assert_eq!(mode(&env.db_path()), 0o600);
    // The database and its companions, loose together, are one warning.
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", env.db_path().display()));
        if file.exists() {
            set(&file, 0o644);
        }
    }
    let run = env.run(&["profiles", "list"]);
    run.success();
    assert_eq!(
        run.stderr.matches("was readable by others").count(),
        1,
        "{}",
        run.stderr
    );
    // A directory others can write to could have the database swapped: refused.
    let dir = env.db_path().parent().unwrap().to_owned();
    set(&dir, 0o777);
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("is in a directory others can write to (mode 777): they could replace it")
        .stderr_has(&format!("chmod go-w {}", dir.display()));
    // So is a /tmp-style (sticky) one: others cannot replace the database there, but
    // can create its log (`-wal`) first and read what SQLite writes to it.
    set(&dir, 0o1777);
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("is in a directory others can write to (mode 1777)");
    set(&dir, 0o700);
    // The same for the secrets file's directory.
    let shared = env.root().join("shared");
    std::fs::create_dir(&shared).unwrap();
    set(&shared, 0o770);
    env.set(
        "SBCTL_SECRETS_FILE",
        shared.join("secrets.json").to_str().unwrap(),
    );
    env.run_with_stdin(
        &["profiles", "add", "two", "--network", "x", "--with-token"],
        "tok-2",
    )
    .code(1)
    .stderr_has("secrets file")
    .stderr_has("in a directory others can write to (mode 770)")
    .stderr_has("SBCTL_SECRETS_FILE");
    assert!(!shared.join("secrets.json").exists() && !shared.join("secrets.db").exists());
}

#[test]
fn a_postgresql_address_is_the_team_store_not_a_file_name() {
    let env = Env::new();
    let run = env.run(&[
        "--db",
        "postgresql://ops:hunter2@db.internal/sbctl",
        "-v",
        "profiles",
        "list",
    ]);
    run.code(1)
        .stderr_has("names the team store, which this sbctl is not built with yet")
        .stderr_has("debug: database: postgresql://…@db.internal/sbctl");
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert!(
        !std::path::Path::new("postgresql:").exists(),
        "no file was made of the address"
    );
}
