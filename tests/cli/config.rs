//! Config file, global flags and environment.

use crate::support::Env;

#[test]
fn malformed_config_names_file_line_and_key() {
    let env = Env::new();
    let path = env.config_path().display().to_string();
    env.write_config(
        "concurrency = 4\n[providers.x]\nclient_id = \"a\"\nclient_secret = \"oops\"\n",
    );
    env.run(&["profiles", "list"]).code(1).stderr_has(&format!(
        "error: config {path}:4: unknown key `client_secret`"
    ));
    env.write_config("warn_within = \"a week\"\n");
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has(":1: invalid duration `a week`: write a whole number and a unit");
    env.write_config("[providers\n");
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has(&format!("config {path}:1:"));
    env.write_config("secret_store = \"file\"\nconcurrency = 0\n");
    env.run(&["profiles", "list"]).code(1).stderr_has(&format!(
        "config {path}:2: concurrency must be between 1 and 256, not 0"
    ));
    env.write_config("http_timeout = \"1h\"\n");
    env.run(&["profiles", "list"]).code(1).stderr_has(&format!(
        "config {path}:1: http_timeout must be between 1s and 5m, not 1h"
    ));
    env.write_config("[providers.Corp]\nclient_id = \"a\"\n");
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("provider name `Corp`");
    // Completions and the manual page do not need the config.
    env.run(&["completions", "bash"]).success();
    env.run(&["man"]).success();
}

#[test]
fn config_changes_the_warn_window_and_defines_providers() {
    let env = Env::new();
    env.add(
        "a",
        "linkedin",
        r#"{"access_token":"t","expires_in":864000}"#,
    );
    env.run(&["check"]).success();
    env.write_config("warn_within = \"14d\"\n");
    env.run(&["check"]).code(5);
    env.write_config("[providers.corp]\nissuer = \"https://login.example.com\"\n");
    env.add("c", "corp", "t");
}

#[test]
fn explicit_paths_win_over_the_environment_and_defaults() {
    let mut env = Env::new();
    let missing = env.root().join("nope.toml");
    env.run(&["--config", missing.to_str().unwrap(), "profiles", "list"])
        .code(1)
        .stderr_has("cannot read config");
    env.set("SBCTL_CONFIG", missing.to_str().unwrap());
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("nope.toml");
    env.unset("SBCTL_CONFIG");

    let env_db = env.root().join("env.db");
    let flag_db = env.root().join("flag.db");
    env.set("SBCTL_DB", env_db.to_str().unwrap());
    env.add("a", "x", "t");
    assert!(env_db.exists());
    env.run(&[
        "--db",
        flag_db.to_str().unwrap(),
        "profiles",
        "list",
        "--json",
    ])
    .success()
    .stdout_has("[]");
    assert!(flag_db.exists());
    assert!(!env.db_path().exists(), "the default path was not used");

    let secrets = env.root().join("elsewhere/vault.db");
    env.set("SBCTL_SECRETS_FILE", secrets.to_str().unwrap());
    env.add("b", "x", "t");
    assert!(secrets.exists());
    // The old file's name, as a cron job of 0.1 may still set it: the store is beside it.
    let old = env.root().join("old/secrets.json");
    env.set("SBCTL_SECRETS_FILE", old.to_str().unwrap());
    env.add("c", "x", "t");
    assert!(old.with_extension("db").exists() && !old.exists());
    env.run(&["--secret-store", "vault", "token", "a"]).code(2);
}

#[test]
fn help_and_version() {
    let env = Env::new();
    // The version, and the commit it was built from (this checkout's), without git
    // at run time.
    let run = env.run(&["--version"]);
    run.success();
    let version = run.stdout.trim();
    let commit = version
        .strip_prefix(&format!("sbctl {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{version}"));
    let hash = commit.strip_suffix(", dirty").unwrap_or(commit);
    assert!(
        hash.len() == 12 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{version}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&head.stdout).trim(), hash);
    env.run(&["--help"]).success().stdout_has("Usage: sbctl");
    env.run(&["profiles"]).code(2);
    env.run(&["frobnicate"]).code(2);
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let mut env = Env::new();
    env.add("a", "x", "t");
    env.set("SBCTL_DB", "")
        .set("SBCTL_CONFIG", "")
        .set("SBCTL_SECRET_STORE", "");
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    // The default database and the store `auto` remembered for it (the file).
    let run = env.run(&["token", "a"]);
    run.success();
    assert_eq!(run.stdout, "t\n");
}
