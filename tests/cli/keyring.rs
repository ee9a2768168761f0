//! The keyring backend against a real Secret Service (gnome-keyring in a throwaway
//! D-Bus session, started by scripts/test). These tests fail, never skip, without one.

use crate::support::keyring::PrivateKeyring;
use crate::support::{bytes_with_companions, contains, stored_bytes, Env};

fn bus() -> String {
    std::env::var("DBUS_SESSION_BUS_ADDRESS").expect(
        "the keyring tests need a real Secret Service: run the suite with scripts/test, \
         which starts gnome-keyring in a throwaway D-Bus session",
    )
}

fn keyring_env() -> Env {
    let mut env = Env::new();
    env.set("DBUS_SESSION_BUS_ADDRESS", &bus());
    env.set("SBCTL_SECRET_STORE", "keyring");
    env
}

/// Profile ids unique to this run: every test shares the one session keyring.
fn unique(name: &str) -> String {
    format!("{name}-{}-{}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

/// An environment using a keyring of the test's own, with `SBCTL_SECRET_STORE=store`.
fn private_env(keyring: &PrivateKeyring, store: &str) -> Env {
    let mut env = Env::new();
    env.set("DBUS_SESSION_BUS_ADDRESS", &keyring.address);
    env.set("SBCTL_SECRET_STORE", store);
    env
}

/// The name of the keyring item the secrets file says holds its key.
fn key_item(env: &Env) -> String {
    let conn = rusqlite::Connection::open(env.secrets_path()).unwrap();
    let name: Vec<u8> = conn
        .query_row(
            "SELECT value FROM meta WHERE name = 'keyring_key'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    String::from_utf8(name).unwrap()
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn tokens_are_sealed_in_the_file_with_one_key_kept_in_the_keyring() {
    let keyring = PrivateKeyring::start();
    let env = private_env(&keyring, "keyring");
    env.add(
        "a",
        "x",
        r#"{"access_token":"kr-access-1","refresh_token":"kr-refresh-1"}"#,
    );
    env.add("b", "x", "kr-access-2");
    env.run_with_stdin(&["providers", "set-secret", "x"], "kr-client-secret\n")
        .success();
    // Another process finds them: this is no in-memory mock.
    assert_eq!(env.run(&["token", "a"]).stdout, "kr-access-1\n");
    // The keyring holds one item, the key, whatever the number of secrets; the file
    // holds every secret, each sealed.
    let item = key_item(&env);
    assert!(item.starts_with("secrets-key:"), "{item}");
    assert_eq!(keyring.items(), vec![item.clone()]);
    let sealed = env.secrets();
    assert_eq!(sealed.len(), 3, "{sealed:?}");
    assert!(
        sealed.values().all(serde_json::Value::is_null),
        "{sealed:?}"
    );
    let bytes = bytes_with_companions(&env.secrets_path());
    for plain in ["kr-access-1", "kr-refresh-1", "kr-client-secret"] {
        assert!(!contains(&bytes, plain), "{plain} in the file");
    }
    env.run(&["doctor"])
        .success()
        .stdout_has("keyring (")
        .stdout_has("sealed with a key in the OS keyring, service `sbctl`): working")
        .stdout_has("a client secret is stored");
    env.run(&["check"]).success();
    // The file without the keyring (a copied disk, a backup) opens nothing.
    let mut elsewhere = Env::new();
    elsewhere.set("SBCTL_SECRET_STORE", "keyring");
    elsewhere.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    for (from, to) in [
        (env.db_path(), elsewhere.db_path()),
        (env.secrets_path(), elsewhere.secrets_path()),
    ] {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        for companion in ["", "-wal"] {
            let from = format!("{}{companion}", from.display());
            if std::path::Path::new(&from).exists() {
                std::fs::copy(&from, format!("{}{companion}", to.display())).unwrap();
            }
        }
    }
    elsewhere
        .run(&["token", "a"])
        .code(1)
        .stderr_has("the OS keyring is not available");
    // Removing a profile removes its token from the file; the key stays.
    env.run(&["profiles", "remove", "a", "--yes"]).success();
    assert!(!env.secrets().contains_key("profile:a"));
    assert_eq!(keyring.items(), vec![item]);
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn keyring_items_keep_one_item_per_secret_as_before() {
    let keyring = PrivateKeyring::start();
    let env = private_env(&keyring, "keyring-items");
    env.add(
        "a",
        "x",
        r#"{"access_token":"kr-access-1","refresh_token":"kr-refresh-1"}"#,
    );
    env.run_with_stdin(&["providers", "set-secret", "x"], "kr-client-secret\n")
        .success();
    assert_eq!(env.run(&["token", "a"]).stdout, "kr-access-1\n");
    assert!(keyring
        .lookup("profile:a")
        .unwrap()
        .contains("kr-refresh-1"));
    assert_eq!(
        keyring.lookup("client:x").as_deref(),
        Some("kr-client-secret")
    );
    assert!(!env.secrets_path().exists(), "no secrets file was used");
    env.run(&["doctor"])
        .success()
        .stdout_has("keyring-items (OS keyring, service `sbctl`): working");
    env.run(&["profiles", "remove", "a", "--yes"]).success();
    assert_eq!(
        keyring.lookup("profile:a"),
        None,
        "removed from the keyring"
    );
}

/// A database whose secrets sbctl 0.2 kept one per keyring item: profiles a, b and c
/// and x's client secret, written with `keyring-items`, the database set back to
/// schema 9 remembering 0.2's name for it.
fn items_of_0_2(keyring: &PrivateKeyring) -> Env {
    let env = private_env(keyring, "keyring-items");
    for id in ["a", "b", "c"] {
        env.add(
            id,
            "x",
            &format!(r#"{{"access_token":"tok-{id}","refresh_token":"ref-{id}"}}"#),
        );
    }
    env.run_with_stdin(&["providers", "set-secret", "x"], "client-x\n")
        .success();
    env.sql(
        // What schema 9 had: not the later columns, and 0.2's name for its keyring.
        "DROP INDEX profiles_owner; ALTER TABLE profiles DROP COLUMN owner; \
         ALTER TABLE profiles DROP COLUMN tags; DROP INDEX profiles_login; \
         ALTER TABLE profiles DROP COLUMN login_id; ALTER TABLE profiles DROP COLUMN connected_at; \
         UPDATE meta SET value = 'keyring' WHERE key = 'secret_store'; PRAGMA user_version = 9;",
    );
    assert_eq!(
        keyring.items(),
        ["client:x", "profile:a", "profile:b", "profile:c"]
    );
    env
}

/// Every token reads back, from the file; the keyring holds the key, and the client
/// secret, which is copied (another database may use it), not moved.
fn assert_moved(env: &Env, keyring: &PrivateKeyring) {
    for id in ["a", "b", "c"] {
        assert_eq!(env.run(&["token", id]).stdout, format!("tok-{id}\n"));
    }
    assert_eq!(keyring.items(), ["client:x".to_owned(), key_item(env)]);
    assert_eq!(
        env.secrets().keys().collect::<Vec<_>>(),
        ["client:x", "profile:a", "profile:b", "profile:c"]
    );
    env.run(&["doctor"])
        .success()
        .stdout_has("a client secret is stored");
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn keyring_items_move_into_the_sealed_file_on_first_use() {
    let keyring = PrivateKeyring::start();
    let mut env = items_of_0_2(&keyring);
    env.unset("SBCTL_SECRET_STORE");
    let run = env.run(&["token", "b"]);
    run.success()
        .stderr_has("moved 4 secrets from separate OS keyring items into")
        .stderr_has("sealed with one key kept in the keyring");
    assert_eq!(run.stdout, "tok-b\n");
    assert_eq!(
        env.scalar("SELECT value = 'keyring' FROM meta WHERE key = 'secret_store'"),
        1
    );
    // Said once: the next command has nothing to move.
    assert_eq!(env.run(&["token", "c"]).stderr, "");
    assert_moved(&env, &keyring);
    // Asking for the old layout by name now would find nothing: refused, with why.
    env.set("SBCTL_SECRET_STORE", "keyring-items");
    env.run(&["token", "a"])
        .code(1)
        .stderr_has("sealed with a key in the OS keyring, not in separate keyring items")
        .stderr_has("secret_store = \"keyring\"");
    // And the file store without the keyring: refused, not read as empty.
    env.set("SBCTL_SECRET_STORE", "file");
    env.run(&["token", "a"])
        .code(1)
        .stderr_has("is sealed with a key kept in the OS keyring")
        .stderr_has("--secret-store keyring");
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn a_move_killed_at_any_point_loses_nothing_and_the_next_run_finishes_it() {
    let keyring = PrivateKeyring::start();
    let mut env = items_of_0_2(&keyring);
    env.unset("SBCTL_SECRET_STORE");
    // Killed with every secret written into the file's transaction, before it commits:
    // none of it counts, and every item is still there.
    env.kill_at("keyring-move-before-commit", &["token", "a"]);
    let items = keyring.items();
    assert_eq!(
        items[..4],
        ["client:x", "profile:a", "profile:b", "profile:c"]
    );
    assert!(env.secrets().is_empty(), "{:?}", env.secrets());
    // The key made for the file was written to the keyring before the kill, under a
    // name the file recorded first: the next run takes it up, not a second one.
    assert_eq!(items.len(), 5, "{items:?}");
    let key = items[4].clone();
    assert!(key.starts_with("secrets-key:"), "{items:?}");
    // Killed after the commit, once the first item was removed: the rest are in both
    // places, the removed one in the file only; the new place is remembered already,
    // so that nothing writes the items any more.
    env.kill_at("keyring-move-removing", &["token", "a"]);
    assert_eq!(
        keyring.items(),
        ["client:x", "profile:b", "profile:c", key.as_str()]
    );
    assert_eq!(env.secrets().len(), 4);
    assert_eq!(key_item(&env), key);
    assert_eq!(
        env.scalar("SELECT value = 'keyring' FROM meta WHERE key = 'secret_store'"),
        1
    );
    // The next command finishes the move.
    env.run(&["check"])
        .success()
        .stderr_has("finished moving the secrets kept in separate OS keyring items");
    assert_moved(&env, &keyring);
    assert_eq!(env.run(&["token", "a"]).stderr, "", "finished once");
}

/// Lets a paused sbctl go on, and waits for it.
fn resume(child: std::process::Child) -> std::process::Output {
    // SAFETY: a signal to our own child, which is stopped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGCONT) };
    child.wait_with_output().unwrap()
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn an_item_renewed_while_it_moves_is_moved_again_not_lost() {
    let keyring = PrivateKeyring::start();
    let mut env = items_of_0_2(&keyring);
    env.unset("SBCTL_SECRET_STORE");
    // Every item copied into the file; before the items are removed, an sbctl that
    // started earlier with `keyring-items` renews c's token in its item.
    let mover = env.pause_at("keyring-move-copied", &["token", "a"]);
    keyring.store(
        "profile:c",
        r#"{"access_token":"tok-c2","refresh_token":"ref-c2"}"#,
    );
    let out = resume(mover);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tok-a\n");
    assert_eq!(
        env.run(&["token", "c"]).stdout,
        "tok-c2\n",
        "the newer token"
    );
    assert_eq!(keyring.items(), ["client:x".to_owned(), key_item(&env)]);
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn items_not_in_this_keyring_are_not_given_up_on() {
    let keyring = PrivateKeyring::start();
    let mut env = items_of_0_2(&keyring);
    // The keyring that answers is not the one that holds them (another session's).
    let other = PrivateKeyring::start();
    env.set("DBUS_SESSION_BUS_ADDRESS", &other.address);
    env.unset("SBCTL_SECRET_STORE");
    env.run(&["check"]).code(3).stderr_has(
        "none of the tokens of this database's 3 profiles is in this OS keyring's separate items",
    );
    // Said once; the database still says where they are, so that the right keyring
    // can move them later.
    let again = env.run(&["check"]);
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
    assert_eq!(
        env.scalar("SELECT value = 'keyring-items' FROM meta WHERE key = 'secret_store'"),
        1
    );
    env.set("DBUS_SESSION_BUS_ADDRESS", &keyring.address);
    env.run(&["check"]).success().stderr_has("moved 4 secrets");
    assert_moved(&env, &keyring);
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn a_locked_keyring_is_a_clear_error_and_changes_nothing() {
    let keyring = PrivateKeyring::start();
    let env = private_env(&keyring, "keyring");
    env.add("a", "x", "tok-a");
    let before = stored_bytes(&env.secrets_path());
    keyring.lock();
    let started = std::time::Instant::now();
    for args in [&["token", "a"][..], &["check"], &["refresh", "--all"]] {
        env.run(args)
            .code(1)
            .stderr_has("error: the OS keyring is not available")
            .stderr_has("hint: unlock the keyring");
    }
    env.run_with_stdin(
        &["profiles", "add", "b", "--network", "x", "--with-token"],
        "tok-b",
    )
    .code(1)
    .stderr_has("the OS keyring is not available");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    assert!(
        stored_bytes(&env.secrets_path()) == before,
        "the file changed"
    );
    assert_eq!(env.profile_count(), 1, "no row without its token");
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn a_deleted_key_item_is_named_and_never_replaced() {
    let keyring = PrivateKeyring::start();
    let env = private_env(&keyring, "keyring");
    env.add("a", "x", "tok-a");
    let item = key_item(&env);
    keyring.delete(&item);
    let run = env.run(&["token", "a"]);
    run.code(1)
        .stderr_has(&format!(
            "is not in the OS keyring (item `{item}` of service `sbctl`)"
        ))
        .stderr_has("restore that item from a backup of the keyring")
        .stderr_has("sbctl reauth ID");
    // A write must not make a new key over the lost one: the file would then hold
    // values no key opens beside new ones.
    env.run_with_stdin(
        &["profiles", "add", "b", "--network", "x", "--with-token"],
        "tok-b",
    )
    .code(1)
    .stderr_has("is not in the OS keyring");
    assert_eq!(key_item(&env), item);
    assert!(keyring.items().is_empty(), "{:?}", keyring.items());
    env.run(&["doctor"])
        .code(1)
        .stdout_has("is not in the OS keyring");
}

#[test]
#[ignore = "needs a Secret Service on D-Bus (gnome-keyring); scripts/test runs it"]
fn auto_prefers_the_keyring_and_then_sticks_to_it() {
    let mut env = keyring_env();
    env.set("SBCTL_SECRET_STORE", "auto");
    let id = unique("auto");
    let run = env.run_with_stdin(
        &["profiles", "add", &id, "--network", "x", "--with-token"],
        "auto-tok",
    );
    run.success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // Sealed in the file, with a key in the keyring.
    let key = format!("profile:{id}");
    assert_eq!(env.secrets()[&key], serde_json::Value::Null);
    // Later, from cron, without a session bus: auto must not look in an empty file.
    env.unset("DBUS_SESSION_BUS_ADDRESS");
    env.run(&["token", &id])
        .code(1)
        .stderr_has("the OS keyring is not available")
        .stderr_has("--secret-store file");
    assert_eq!(env.secrets()[&key], serde_json::Value::Null, "still sealed");
}

#[test]
#[ignore = "needs a Secret Service on D-Bus (gnome-keyring); scripts/test runs it"]
fn auto_without_a_keyring_falls_back_to_the_file_with_a_warning() {
    let mut env = Env::new();
    env.set("SBCTL_SECRET_STORE", "auto");
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let run = env.run_with_stdin(
        &["profiles", "add", "a", "--network", "x", "--with-token"],
        "file-tok",
    );
    run.success();
    let warnings: Vec<_> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("keeping secrets in"),
        "{}",
        warnings[0]
    );
    assert_eq!(env.secrets()["profile:a"], r#"{"access_token":"file-tok"}"#);
    // The choice is remembered: no more warnings, even once a keyring appears.
    env.set("DBUS_SESSION_BUS_ADDRESS", &bus());
    let run = env.run(&["token", "a"]);
    run.success();
    assert_eq!(run.stderr, "");
}

#[test]
#[ignore = "needs a Secret Service on D-Bus (gnome-keyring); scripts/test runs it"]
fn an_explicit_keyring_that_is_not_there_is_a_clear_error() {
    let mut env = keyring_env();
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    env.run_with_stdin(
        &["profiles", "add", "a", "--network", "x", "--with-token"],
        "t",
    )
    .code(1)
    .stderr_has("error: the OS keyring is not available")
    .stderr_has("use `--secret-store file`");
    assert_eq!(
        env.run(&["profiles", "list", "--json"]).json(),
        serde_json::json!([]),
        "no row without its token"
    );
}

#[test]
fn a_keyring_that_never_answers_is_given_up_on() {
    // A bus that accepts connections and never says a word.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let _held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for conn in listener.incoming().take(8) {
            open.push(conn);
        }
        std::thread::sleep(std::time::Duration::from_secs(60));
    });
    let mut env = Env::new();
    env.set("SBCTL_SECRET_STORE", "auto");
    env.set(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", socket.display()),
    );
    let started = std::time::Instant::now();
    env.run_with_stdin(
        &["profiles", "add", "a", "--network", "x", "--with-token"],
        "t",
    )
    .success()
    .stderr_has("did not answer within 3s");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(env.secrets().contains_key("profile:a"));
}

#[test]
fn the_fallback_to_the_file_is_said_once_not_on_every_command() {
    let mut env = Env::new();
    env.set("SBCTL_SECRET_STORE", "auto");
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    // Commands that read secrets but store none: the choice is not remembered yet.
    env.run(&["check"])
        .success()
        .stderr_has("keeping secrets in");
    let again = env.run(&["check"]);
    again.success();
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
    env.run(&["-v", "check"])
        .success()
        .stderr_has("debug: the OS keyring is not available");
}

#[test]
#[ignore = "needs gnome-keyring, dbus-daemon and secret-tool; scripts/test runs it"]
fn doctor_warns_when_keyring_items_hold_a_fleet() {
    let keyring = PrivateKeyring::start();
    let mut env = private_env(&keyring, "keyring-items");
    env.unset("SBCTL_SECRET_STORE");
    env.write_config("secret_store = \"keyring-items\"\n");
    let records: String = (0..301)
        .map(|i| format!("{{\"id\":\"p{i:03}\",\"network\":\"x\"}}\n"))
        .collect();
    env.run_with_stdin(&["profiles", "import", "-"], &records)
        .success();
    env.run(&["doctor"])
        .success()
        .stdout_has("keyring-items (OS keyring, service `sbctl`): working")
        .stdout_has("301 profiles in separate keyring items")
        .stdout_has("secret_store = \"keyring\" keeps one key in the keyring");
    env.run(&["profiles", "remove", "p300", "--yes"]).success();
    let fewer = env.run(&["doctor"]);
    fewer.success();
    assert!(
        !fewer.stdout.contains("in separate keyring items"),
        "{}",
        fewer.stdout
    );
}
