//! The file secret store as users meet it.

use crate::support::{contains, mode, Env};
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

fn age_key() -> String {
    use age::secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_owned()
}

#[test]
fn the_secrets_file_can_be_encrypted_with_an_age_key() {
    let mut env = Env::new();
    // Before a key: doctor says the file is not encrypted.
    env.add("plain", "x", "tok-plain-1");
    env.run(&["doctor"])
        .stdout_has("the secrets file is not encrypted");
    let key = env.root().join("secrets.key");
    std::fs::write(
        &key,
        format!("# created: today\n# public key: age1...\n{}\n", age_key()),
    )
    .unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    // The plain file is still read, and encrypted at the next write.
    assert_eq!(env.run(&["token", "plain"]).stdout, "tok-plain-1\n");
    env.run(&["doctor"])
        .stdout_has("encrypted with age at its next write");
    env.add("sealed", "x", "tok-sealed-2");
    let bytes = std::fs::read(env.secrets_path()).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(!contains(&bytes, "tok-plain-1") && !contains(&bytes, "tok-sealed-2"));
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
    env.set("SBCTL_SECRETS_KEY", &age_key());
    env.run_with_stdin(
        &["profiles", "add", "third", "--network", "x", "--with-token"],
        "tok-3",
    )
    .code(1)
    .stderr_has("cannot be opened with the key from SBCTL_SECRETS_KEY");
    assert_eq!(
        std::fs::read(env.secrets_path()).unwrap(),
        bytes,
        "left as it was"
    );
    // The key itself in the environment works as well as the file.
    let text = std::fs::read_to_string(&key).unwrap();
    env.set("SBCTL_SECRETS_KEY", text.lines().last().unwrap());
    assert_eq!(env.run(&["token", "sealed"]).stdout, "tok-sealed-2\n");
    env.unset("SBCTL_SECRETS_KEY");
    // A key file others may read is refused.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    env.run(&["token", "sealed"])
        .code(1)
        .stderr_has("can be read by others (mode 644)");
}
