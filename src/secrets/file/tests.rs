use super::*;
use std::os::unix::fs::MetadataExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn secret(s: &str) -> Secret {
    Secret::new(s.into())
}

/// A directory of its own for a test's `secrets.db`.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.db");
    (dir, path)
}

/// The store at `path` with the age key written as `key`.
fn keyed(path: &Path, key: &str) -> FileStore {
    FileStore::new(path.to_owned()).with_key(Some(Key::from_text(key, "k".into()).unwrap()))
}

/// The store's file and its WAL companions, for checks that nothing leaks.
fn all_bytes(path: &Path) -> Vec<u8> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| fs::read(format!("{}{s}", path.display())).ok())
        .flatten()
        .collect()
}

fn contains(bytes: &[u8], text: &str) -> bool {
    memchr::memmem::find(bytes, text.as_bytes()).is_some()
}

/// An old `secrets.json`, as sbctl 0.1 wrote it (encrypted whole with `key`).
fn legacy_file(path: &Path, entries: &[(&str, &str)], key: Option<&Key>) {
    let secrets: serde_json::Map<_, _> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let mut text =
        serde_json::to_vec_pretty(&serde_json::json!({"version": 1, "secrets": secrets})).unwrap();
    if let Some(key) = key {
        text = age::encrypt(&key.identity.to_public(), &text).unwrap();
    }
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn writes_0600_and_reads_back_in_another_instance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/secrets.db");
    let store = FileStore::new(path.clone());
    assert_eq!(store.get("a").unwrap(), None);
    assert!(!path.exists(), "a read creates nothing");
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
}

#[test]
fn loose_permissions_and_foreign_files_are_refused_and_nothing_is_written() {
    let (_dir, path) = scratch();
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
    // Not a database, and another program's database.
    let text = path.with_file_name("text.db");
    fs::write(&text, "s3cr3t, not a database").unwrap();
    fs::set_permissions(&text, fs::Permissions::from_mode(0o600)).unwrap();
    let err = FileStore::new(text).get("a").unwrap_err().to_string();
    assert!(err.contains("damaged") && !err.contains("s3cr3t"), "{err}");
    let other = path.with_file_name("other.db");
    crate::sqlite::create_private(&other).unwrap();
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = FileStore::new(other).get("a").unwrap_err().to_string();
    assert!(err.contains("not sbctl's secrets database"), "{err}");
}

#[test]
fn a_reader_sees_what_another_writer_stored() {
    let (_dir, path) = scratch();
    let reader = FileStore::new(path.clone());
    let writer = FileStore::new(path);
    writer.set_many(&[("k".into(), secret("old"))]).unwrap();
    assert_eq!(reader.get("k").unwrap(), Some(secret("old")));
    writer.set_many(&[("k".into(), secret("new"))]).unwrap();
    assert_eq!(
        reader.get("k").unwrap(),
        Some(secret("new")),
        "no stale read"
    );
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (_dir, path) = scratch();
    let key = Key::generate().to_text();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (path, key) = (path.clone(), key.clone());
            std::thread::spawn(move || {
                let store = keyed(&path, &key);
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
    let store = keyed(&path, &key);
    for t in 0..8 {
        for i in 0..10 {
            assert_eq!(
                store.get(&format!("k{t}-{i}")).unwrap(),
                Some(secret("v")),
                "k{t}-{i}"
            );
        }
    }
}

#[test]
fn sealed_values_open_with_their_key_and_name_only() {
    let (_dir, path) = scratch();
    // Plain values, then a key: read as they are, sealed at the next write.
    FileStore::new(path.clone())
        .set_many(&[("a".into(), secret("plain-token"))])
        .unwrap();
    let key = Key::generate();
    let text = key.to_text();
    let sealed = FileStore::new(path.clone()).with_key(Some(key));
    assert_eq!(sealed.get("a").unwrap(), Some(secret("plain-token")));
    assert!(sealed.location().contains("at its next write"));
    sealed
        .set_many(&[("b".into(), secret("sealed-token"))])
        .unwrap();
    assert!(!sealed.location().contains("at its next write"));
    let bytes = all_bytes(&path);
    assert!(!contains(&bytes, "plain-token") && !contains(&bytes, "sealed-token"));
    assert_eq!(sealed.get("a").unwrap(), Some(secret("plain-token")));
    assert_eq!(sealed.get("b").unwrap(), Some(secret("sealed-token")));
    drop(sealed);
    // Without the key, or with another: nothing is read, nothing is written.
    let before = fs::read(&path).unwrap();
    assert!(matches!(
        FileStore::new(path.clone()).get("a"),
        Err(SecretError::Encrypted { .. })
    ));
    assert!(FileStore::new(path.clone())
        .set_many(&[("c".into(), secret("x"))])
        .is_err());
    let other = FileStore::new(path.clone()).with_key(Some(Key::generate()));
    assert!(matches!(other.get("a"), Err(SecretError::WrongKey { .. })));
    assert!(other.set_many(&[("c".into(), secret("x"))]).is_err());
    assert_eq!(fs::read(&path).unwrap(), before, "nothing written");
    // A value moved to another name does not open there.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE secrets SET value = (SELECT value FROM secrets WHERE name = 'b') WHERE name = 'a'",
        [],
    )
    .unwrap();
    let store = keyed(&path, &text);
    let err = store.get("a").unwrap_err().to_string();
    assert!(err.contains("moved from another name"), "{err}");
    assert_eq!(store.get("b").unwrap(), Some(secret("sealed-token")));
}

#[test]
fn rotating_the_key_seals_every_value_anew() {
    let (_dir, path) = scratch();
    let (old, new) = (Key::generate().to_text(), Key::generate().to_text());
    let with = |k: &str| keyed(&path, k);
    // More than one batch of rows.
    let items: Vec<(String, Secret)> = (0..1100)
        .map(|i| (format!("profile:{i}"), secret(&format!("tok-{i}"))))
        .collect();
    with(&old).set_many(&items).unwrap();
    let column = |p: &Path, sql: &str| -> Vec<Vec<u8>> {
        let conn = Connection::open(p).unwrap();
        let mut s = conn.prepare(sql).unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(|v| v.unwrap())
            .collect()
    };
    let values = |p: &Path| column(p, "SELECT value FROM secrets ORDER BY name");
    let before = values(&path);
    let old_data_key = column(&path, "SELECT value FROM meta WHERE name = 'data_key'");
    assert_eq!(
        with(&old)
            .rekey(&Key::from_text(&new, "n".into()).unwrap())
            .unwrap(),
        1100
    );
    let after = values(&path);
    assert!(
        before.iter().zip(&after).all(|(b, a)| b != a),
        "every value is sealed again"
    );
    assert!(matches!(
        with(&old).get("profile:1"),
        Err(SecretError::WrongKey { .. })
    ));
    assert_eq!(
        with(&new).get("profile:1099").unwrap(),
        Some(secret("tok-1099"))
    );
    // The old key with its data key from a backup opens nothing written since.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE name = 'data_key'",
        [&old_data_key[0]],
    )
    .unwrap();
    let err = with(&old).get("profile:1").unwrap_err().to_string();
    assert!(err.contains("does not open"), "{err}");
}

#[test]
fn a_plain_value_among_sealed_ones_is_refused() {
    let (_dir, path) = scratch();
    let text = Key::generate().to_text();
    keyed(&path, &text)
        .set_many(&[("a".into(), secret("tok-a"))])
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO secrets (name, value, sealed) VALUES ('b', CAST('planted' AS BLOB), 0)",
        [],
    )
    .unwrap();
    let store = keyed(&path, &text);
    let err = store.get("b").unwrap_err().to_string();
    assert!(err.contains("stored plain among sealed values"), "{err}");
    // A write does not seal it for the planter either.
    store.set_many(&[("c".into(), secret("tok-c"))]).unwrap();
    assert!(keyed(&path, &text).get("b").is_err());
    assert_eq!(store.get("a").unwrap(), Some(secret("tok-a")));
}

#[test]
fn an_old_secrets_file_moves_in_once_plain_or_sealed() {
    for encrypted in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.db");
        let text = Key::generate().to_text();
        let key = || Some(Key::from_text(&text, "k".into()).unwrap());
        let old = path.with_extension("json");
        let old_key = if encrypted { key() } else { None };
        legacy_file(
            &old,
            &[("profile:a", "tok-a"), ("client:x", "cs")],
            old_key.as_ref(),
        );
        fs::write(old.with_extension("json.lock"), "").unwrap();
        let store = FileStore::new(path.clone()).with_key(if encrypted { key() } else { None });
        let said = store.migrate().unwrap().unwrap();
        assert!(said.starts_with("moved 2 secrets from "), "{said}");
        assert!(!old.exists() && !old.with_extension("json.lock").exists());
        assert_eq!(store.get("profile:a").unwrap(), Some(secret("tok-a")));
        assert_eq!(store.get("client:x").unwrap(), Some(secret("cs")));
        assert_eq!(store.migrate().unwrap(), None, "once");
        assert_eq!(contains(&all_bytes(&path), "tok-a"), !encrypted);
    }
}

#[test]
fn a_move_cut_off_at_any_point_loses_nothing() {
    let (_dir, path) = scratch();
    let old = path.with_extension("json");
    // Cut off before the commit (a kill rolls the transaction back, as this does):
    // nothing of it is in the new file, and the old one is read again.
    legacy_file(&old, &[("profile:a", "tok-a")], None);
    FileStore::new(path.clone())
        .set_many(&[("other".into(), secret("x"))])
        .unwrap();
    let store = FileStore::new(path.clone());
    let signature = legacy::signature(&old).unwrap();
    let secrets = legacy::read(&old, None).unwrap().unwrap();
    let cut = store.write(|tx| {
        assert!(store.move_in(tx, &signature, &secrets)?, "moved in");
        Err::<(), _>(SecretError::Group("cut off before the commit".into()))
    });
    assert!(cut.is_err());
    assert_eq!(store.get("profile:a").unwrap(), None);
    assert!(old.exists());
    assert!(store.migrate().unwrap().is_some());
    assert_eq!(store.get("profile:a").unwrap(), Some(secret("tok-a")));
    // Killed after the commit, before the old file was removed, and the token renewed
    // since: the old file goes, the newer token stays.
    legacy_file(&old, &[("profile:b", "tok-b-old")], None);
    let signature = legacy::signature(&old).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE name = 'migrated_from'",
        [signature.as_bytes()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO secrets VALUES ('profile:b', CAST('tok-b-new' AS BLOB), 0)",
        [],
    )
    .unwrap();
    assert!(FileStore::new(path.clone()).migrate().unwrap().is_some());
    assert!(!old.exists());
    assert_eq!(
        FileStore::new(path.clone()).get("profile:b").unwrap(),
        Some(secret("tok-b-new"))
    );
    // An old file written again after the move (an older sbctl) is kept, and said.
    legacy_file(&old, &[("profile:c", "tok-c")], None);
    let err = FileStore::new(path).migrate().unwrap_err();
    assert!(matches!(err, SecretError::ChangedAfterMove { .. }), "{err}");
    assert!(old.exists());
}

#[test]
fn renewals_do_not_grow_the_file_without_bound() {
    let (_dir, path) = scratch();
    let store = FileStore::new(path.clone()).with_key(Some(Key::generate()));
    let round = |n: usize| -> Vec<(String, Secret)> {
        (0..1000)
            .map(|i| {
                (
                    format!("profile:p{i:04}"),
                    secret(&format!(
                        "{{\"access_token\":\"at-{n:02}-{i:04}-{}\"}}",
                        "x".repeat(80)
                    )),
                )
            })
            .collect()
    };
    store.set_many(&round(0)).unwrap();
    let size =
        |suffix: &str| fs::metadata(format!("{}{suffix}", path.display())).map_or(0, |m| m.len());
    // The data's own footprint: the log written back into the file.
    let settled = || {
        Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        size("")
    };
    let first = settled();
    for n in 1..=10 {
        for chunk in round(n).chunks(16) {
            store.set_many(chunk).unwrap();
        }
    }
    assert!(size("-wal") <= 1024 * 1024, "the log: {}", size("-wal"));
    let last = settled();
    assert!(last <= 2 * first, "{first} -> {last}");
}

#[test]
fn a_write_rolled_back_leaves_no_data_key_behind() {
    let (_dir, path) = scratch();
    FileStore::new(path.clone())
        .set_many(&[("a".into(), secret("tok-a"))])
        .unwrap();
    // A plain value that cannot be sealed (not text) makes the first keyed write, which
    // made a data key, roll back.
    let conn = Connection::open(&path).unwrap();
    conn.execute("INSERT INTO secrets VALUES ('bad', X'FF', 0)", [])
        .unwrap();
    let text = Key::generate().to_text();
    let store = keyed(&path, &text);
    assert!(store.set_many(&[("b".into(), secret("tok-b"))]).is_err());
    conn.execute("DELETE FROM secrets WHERE name = 'bad'", [])
        .unwrap();
    // The same store writes again: with a data key that is in the file, so that
    // another reader opens what it sealed.
    store.set_many(&[("c".into(), secret("tok-c"))]).unwrap();
    let reader = keyed(&path, &text);
    assert_eq!(reader.get("c").unwrap(), Some(secret("tok-c")));
    assert_eq!(reader.get("a").unwrap(), Some(secret("tok-a")));
}

#[test]
fn a_batch_is_kept_when_committed_and_gone_when_dropped_before() {
    let (_dir, path) = scratch();
    let store = keyed(&path, &Key::generate().to_text());
    store.set_many(&[("a".into(), secret("tok-a"))]).unwrap();
    {
        let mut batch = store.batch().unwrap();
        batch.set("b".into(), secret("tok-b")).unwrap();
        batch.set("a".into(), secret("tok-a2")).unwrap();
    }
    assert_eq!(store.get("a").unwrap(), Some(secret("tok-a")));
    assert_eq!(store.get("b").unwrap(), None);
    let mut batch = store.batch().unwrap();
    batch.set("b".into(), secret("tok-b")).unwrap();
    batch.commit().unwrap();
    assert_eq!(store.get("b").unwrap(), Some(secret("tok-b")));
    assert_eq!(
        store
            .contains_many(&["a".into(), "b".into(), "c".into()])
            .unwrap(),
        [true, true, false]
    );
    assert!(
        !contains(&all_bytes(&path), "tok-b"),
        "sealed in the batch too"
    );
}

#[test]
fn keyring_items_move_in_without_writing_over_newer_values() {
    let (_dir, path) = scratch();
    let store = FileStore::new(path.clone());
    store
        .set_many(&[("profile:a".into(), secret("renewed-since"))])
        .unwrap();
    assert!(!store.move_unfinished().unwrap());
    let written = store
        .move_in_items(&[
            ("profile:a".into(), secret("old-item")),
            ("profile:b".into(), secret("b")),
        ])
        .unwrap();
    assert_eq!(written, [false, true]);
    assert_eq!(
        store.get("profile:a").unwrap(),
        Some(secret("renewed-since"))
    );
    assert_eq!(store.get("profile:b").unwrap(), Some(secret("b")));
    // Copied, not yet removed from the keyring: the next run finishes the move.
    assert!(FileStore::new(path.clone()).move_unfinished().unwrap());
    store.move_finished().unwrap();
    assert!(!FileStore::new(path).move_unfinished().unwrap());
}

#[test]
fn a_plain_value_beside_values_sealed_in_the_keyring_is_refused() {
    let (_dir, path) = scratch();
    let store = FileStore::new(path.clone());
    store
        .set_many(&[("profile:a".into(), secret("a"))])
        .unwrap();
    // As a write with the keyring would leave it: a key named in the keyring.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO meta (name, value) VALUES ('keyring_key', X'6b')",
        [],
    )
    .unwrap();
    drop(conn);
    let err = FileStore::new(path).get("profile:a").unwrap_err();
    assert!(
        err.to_string().contains("stored plain among sealed values"),
        "{err}"
    );
}
