//! The file secret store as users meet it.

use crate::support::{bytes_with_companions, contains, mode, stored_bytes, Env};
use std::os::unix::fs::PermissionsExt;

#[test]
fn secrets_file_is_private() {
    let env = Env::new();
    env.add("a", "x", "t");
    assert_eq!(mode(&env.secrets_path()), 0o600);
    assert_eq!(mode(env.secrets_path().parent().unwrap()), 0o700);
}

#[test]
fn a_readable_secrets_file_is_refused_and_left_as_it_is() {
    let env = Env::new();
    env.add("a", "x", "token-a");
    std::fs::set_permissions(env.secrets_path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read(env.secrets_path()).unwrap();
    let path = env.secrets_path().display().to_string();
    env.run(&["token", "a"])
        .code(1)
        .stderr_has(&format!(
            "error: secrets file {path} can be read by other users (mode 640)"
        ))
        .stderr_has(&format!("run `chmod 600 {path}`"));
    env.run_with_stdin(
        &["profiles", "add", "b", "--network", "x", "--with-token"],
        "token-b",
    )
    .code(1);
    assert_eq!(std::fs::read(env.secrets_path()).unwrap(), before);
    assert_eq!(
        mode(&env.secrets_path()),
        0o640,
        "sbctl does not silently change it"
    );
    assert_eq!(env.profile_count(), 1, "the failed add left no row");
}

#[test]
fn a_damaged_secrets_file_is_reported_without_its_contents() {
    let env = Env::new();
    env.add("a", "x", "t");
    std::fs::write(
        env.secrets_path(),
        r#"{"version":1,"secrets":{"profile:a":"s3cr3t-value"#,
    )
    .unwrap();
    let run = env.run(&["token", "a"]);
    run.code(1)
        .stderr_has("is damaged")
        .stderr_has("restore it from a backup");
    assert!(!run.stderr.contains("s3cr3t-value"));
}

fn age_key() -> String {
    use age::secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_owned()
}

/// An age key file (mode 600) at `path`, as `age-keygen -o` writes it.
fn key_file(path: &std::path::Path) -> String {
    let key = age_key();
    std::fs::write(
        path,
        format!("# created: today\n# public key: age1...\n{key}\n"),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    key
}

#[test]
fn the_secrets_file_can_be_encrypted_with_an_age_key() {
    let mut env = Env::new();
    // Before a key: doctor says the file is not encrypted.
    env.add("plain", "x", "tok-plain-1");
    env.run(&["doctor"])
        .stdout_has("the secrets file is not encrypted");
    let key = env.root().join("secrets.key");
    key_file(&key);
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    // The plain value is still read, and sealed at the next write.
    assert_eq!(env.run(&["token", "plain"]).stdout, "tok-plain-1\n");
    env.run(&["doctor"])
        .stdout_has("encrypted with age at its next write");
    env.add("sealed", "x", "tok-sealed-2");
    let bytes = bytes_with_companions(&env.secrets_path());
    let stored = stored_bytes(&env.secrets_path());
    assert!(!contains(&bytes, "tok-plain-1") && !contains(&bytes, "tok-sealed-2"));
    assert!(
        env.secrets().values().all(|v| v.is_null()),
        "every value sealed: {:?}",
        env.secrets()
    );
    assert_eq!(env.run(&["token", "sealed"]).stdout, "tok-sealed-2\n");
    assert_eq!(env.run(&["token", "plain"]).stdout, "tok-plain-1\n");
    let doctor = env.run(&["doctor"]);
    doctor.stdout_has(&format!("encrypted with age (key from {})", key.display()));
    assert!(
        !doctor.stdout.contains("not encrypted"),
        "{}",
        doctor.stdout
    );

    // Without the key, or with another, nothing is read and nothing is overwritten.
    env.unset("SBCTL_SECRETS_KEY_FILE");
    env.run(&["token", "sealed"])
        .code(1)
        .stderr_has("is encrypted, and no key to open it is set")
        .stderr_has("SBCTL_SECRETS_KEY_FILE");
    // check looks tokens up without reading them, and still finds the store unopened.
    env.run(&["check"])
        .code(1)
        .stderr_has("is encrypted, and no key to open it is set");
    env.set("SBCTL_SECRETS_KEY", &age_key());
    env.run_with_stdin(
        &["profiles", "add", "third", "--network", "x", "--with-token"],
        "tok-3",
    )
    .code(1)
    .stderr_has("cannot be opened with the key from SBCTL_SECRETS_KEY");
    assert_eq!(stored_bytes(&env.secrets_path()), stored, "left as it was");
    // The key itself in the environment works as well as the file.
    let text = std::fs::read_to_string(&key).unwrap();
    env.set("SBCTL_SECRETS_KEY", text.lines().last().unwrap());
    assert_eq!(env.run(&["token", "sealed"]).stdout, "tok-sealed-2\n");
    env.unset("SBCTL_SECRETS_KEY");
    // A key file others may read is refused.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    let run = env.run(&["token", "sealed"]);
    run.code(1)
        .stderr_has("can be read by others (mode 644)")
        .stderr_has("run `chmod 600");
    // Not told to make a new key: that would lose every secret sealed with this one.
    assert!(!run.stderr.contains("age-keygen"), "{}", run.stderr);
}

/// Turns the env's secrets into the `secrets.json` of sbctl 0.1 (encrypted with
/// `key` when given), as an upgrade finds it.
fn downgrade_to_json(env: &Env, key: Option<&str>) -> std::path::PathBuf {
    let secrets = env.secrets();
    let old = env.secrets_path().with_extension("json");
    let mut text =
        serde_json::to_vec_pretty(&serde_json::json!({"version": 1, "secrets": secrets})).unwrap();
    if let Some(key) = key {
        let identity: age::x25519::Identity = key.parse().unwrap();
        text = age::encrypt(&identity.to_public(), &text).unwrap();
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", env.secrets_path().display()));
    }
    std::fs::write(&old, text).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    old
}

#[test]
fn an_old_secrets_file_is_moved_in_once_with_a_notice() {
    // Plain.
    let env = Env::new();
    env.add("a", "x", "tok-a");
    env.add("b", "x", "tok-b");
    let old = downgrade_to_json(&env, None);
    let run = env.run(&["token", "a"]);
    run.success().stderr_has(&format!(
        "moved 2 secrets from {} to {}; removed {}",
        old.display(),
        env.secrets_path().display(),
        old.display()
    ));
    assert_eq!(run.stdout, "tok-a\n");
    assert!(!old.exists());
    assert_eq!(env.secrets()["profile:b"], r#"{"access_token":"tok-b"}"#);
    assert!(!env.run(&["token", "b"]).stderr.contains("moved"), "once");

    // Encrypted with age: moved in sealed one by one, with the same key.
    let mut env = Env::new();
    env.add("a", "x", "tok-a");
    let key = env.root().join("secrets.key");
    let text = key_file(&key);
    let old = downgrade_to_json(&env, Some(&text));
    env.run(&["token", "a"])
        .code(1)
        .stderr_has(&format!("secrets file {} is encrypted", old.display()));
    assert!(old.exists(), "kept while it cannot be read");
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    env.run(&["token", "a"])
        .success()
        .stderr_has("moved 1 secret from")
        .stderr_has("sealed one by one");
    assert!(!old.exists());
    assert!(env.secrets()["profile:a"].is_null(), "sealed");
    assert!(!contains(
        &bytes_with_companions(&env.secrets_path()),
        "tok-a"
    ));
}

#[test]
fn rotating_the_key_leaves_the_old_key_nothing_to_open() {
    let mut env = Env::new();
    let (old, new) = (env.root().join("old.key"), env.root().join("new.key"));
    key_file(&old);
    let new_text = key_file(&new);
    env.run(&["secrets", "rekey", "--to", new.to_str().unwrap()])
        .code(1)
        .stderr_has("no secrets key is set");
    env.set("SBCTL_SECRETS_KEY_FILE", old.to_str().unwrap());
    env.add("a", "x", "tok-a");
    // A backup made before the rotation; the old key leaks later.
    let backup = env.root().join("backup.db");
    rusqlite::Connection::open(env.secrets_path())
        .unwrap()
        .execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
        .unwrap();
    env.run(&["secrets", "rekey", "--to", new.to_str().unwrap()])
        .success()
        .stderr_has(&format!("now open with {} only", new.display()));
    env.run(&["token", "a"])
        .code(1)
        .stderr_has("cannot be opened with the key from");
    env.set("SBCTL_SECRETS_KEY", &new_text);
    assert_eq!(env.run(&["token", "a"]).stdout, "tok-a\n");
    env.add("b", "x", "tok-b");
    // The leaked key and the backup's data key, against the file as it is now:
    // neither the value sealed again nor the one written after the rotation opens.
    let conn = rusqlite::Connection::open(env.secrets_path()).unwrap();
    conn.execute("ATTACH ?1 AS backup", [backup.to_str().unwrap()])
        .unwrap();
    conn.execute(
        "UPDATE meta SET value = (SELECT value FROM backup.meta WHERE name = 'data_key') WHERE name = 'data_key'",
        [],
    )
    .unwrap();
    drop(conn);
    env.unset("SBCTL_SECRETS_KEY");
    for id in ["a", "b"] {
        env.run(&["token", id])
            .code(1)
            .stderr_has("does not open with its name and the data key");
    }
}

#[test]
fn a_move_killed_while_it_runs_loses_nothing() {
    let env = Env::new();
    env.add("a", "x", "tok-a");
    env.add("b", "x", "tok-b");
    let old = downgrade_to_json(&env, None);
    // sbctl stops inside the move's transaction, every secret written and the old
    // file's signature recorded, the commit not made yet; it is killed there.
    let mut child = env.pause_at("secrets-move-before-commit", &["token", "a"]);
    // Its write transaction is open: nobody else may begin one.
    let other = rusqlite::Connection::open(env.secrets_path()).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    let err = other.execute_batch("BEGIN IMMEDIATE").unwrap_err();
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy),
        "{err}"
    );
    drop(other);
    child.kill().unwrap();
    child.wait().unwrap();
    // Nothing of it counts: the new file has neither the secrets nor the record of the
    // move, and the old file is whole.
    let conn = rusqlite::Connection::open(env.secrets_path()).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM secrets"), 0);
    assert_eq!(
        count("SELECT count(*) FROM meta WHERE name = 'migrated_from'"),
        0
    );
    drop(conn);
    assert!(old.exists());
    // The next run moves it.
    let run = env.run(&["token", "a"]);
    run.success().stderr_has("moved 2 secrets from");
    assert_eq!(run.stdout, "tok-a\n");
    assert_eq!(env.run(&["token", "b"]).stdout, "tok-b\n");
    assert!(!old.exists());
}
