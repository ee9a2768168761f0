//! The file secret store as users meet it.

use crate::support::{mode, Env};
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
    assert_eq!(
        env.run(&["profiles", "list", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "the failed add left no row"
    );
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
