//! The keyring backend against a real Secret Service (gnome-keyring in a throwaway
//! D-Bus session, started by scripts/test). These tests fail, never skip, without one.

use crate::support::Env;
use std::process::Command;

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

/// What secret-tool (libsecret, independent of sbctl) finds in the keyring.
fn secret_tool_lookup(key: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .env("DBUS_SESSION_BUS_ADDRESS", bus())
        .args(["lookup", "service", "sbctl", "username", key])
        .output()
        .expect("secret-tool runs (apt package libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
#[ignore = "needs a Secret Service on D-Bus (gnome-keyring); scripts/test runs it"]
fn tokens_live_in_the_keyring_and_outlive_the_process() {
    let env = keyring_env();
    let id = unique("kr");
    env.add(
        &id,
        "x",
        r#"{"access_token":"kr-access-1","refresh_token":"kr-refresh-1"}"#,
    );
    // Another process, and another program, find it: this is no in-memory mock.
    assert_eq!(env.run(&["token", &id]).stdout, "kr-access-1\n");
    let stored = secret_tool_lookup(&format!("profile:{id}")).expect("in the Secret Service");
    assert!(stored.contains("kr-refresh-1"), "{stored}");
    assert!(!env.secrets_path().exists(), "no file store was used");
    env.run(&["check"]).success();
    env.run(&["profiles", "remove", &id, "--yes"]).success();
    assert_eq!(
        secret_tool_lookup(&format!("profile:{id}")),
        None,
        "removed from the keyring"
    );
}

#[test]
#[ignore = "needs a Secret Service on D-Bus (gnome-keyring); scripts/test runs it"]
fn client_secrets_go_to_the_keyring() {
    let env = keyring_env();
    let name = unique("corp").replace('-', "_");
    env.write_config(&format!(
        "[providers.{name}]\nauthorize_url = \"https://id.example.com/a\"\ntoken_url = \"https://id.example.com/t\"\nclient_id = \"c\"\n"
    ));
    env.run_with_stdin(&["providers", "set-secret", &name], "kr-client-secret\n")
        .success();
    assert_eq!(
        secret_tool_lookup(&format!("client:{name}")).as_deref(),
        Some("kr-client-secret")
    );
    env.run(&["doctor"])
        .success()
        .stdout_has("keyring (OS keyring, service `sbctl`): working")
        .stdout_has("client secret in the secret store");
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
    assert!(secret_tool_lookup(&format!("profile:{id}")).is_some());
    // Later, from cron, without a session bus: auto must not look in an empty file.
    env.unset("DBUS_SESSION_BUS_ADDRESS");
    env.run(&["token", &id])
        .code(1)
        .stderr_has("the OS keyring is not available")
        .stderr_has("--secret-store file");
    assert!(!env.secrets_path().exists());
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
