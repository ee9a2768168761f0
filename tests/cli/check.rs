//! `check` (offline), `providers` and `doctor`.

use crate::support::Env;

#[test]
fn check_exit_codes_follow_the_spec() {
    let env = Env::new();
    let run = env.run(&["check"]);
    run.success().stderr_has("all profiles are OK");
    assert_eq!(run.stdout, "");
    env.add("fine", "x", r#"{"access_token":"t","expires_in":8640000}"#);
    env.run(&["check"]).success();
    env.add(
        "soon",
        "linkedin",
        r#"{"access_token":"t","expires_in":91800}"#,
    );
    env.run(&["check"]).code(5);
    env.add_renewable("flaky");
    env.sql("UPDATE profiles SET refresh_failed = 1, last_error = 'HTTP 503' WHERE id = 'flaky'");
    env.run(&["check"]).code(4);
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    let run = env.run(&["check"]);
    run.code(3);
    insta::assert_snapshot!(run.snapshot());
    let json = env.run(&["check", "--json"]).json();
    let ids: Vec<_> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(
        ids,
        ["broken", "flaky", "soon"],
        "only those needing attention"
    );
}

#[test]
fn tokens_added_without_an_app_are_not_a_configuration_error_online() {
    // Quick start: tokens registered as they are, no provider set up.
    let env = Env::new();
    env.add(
        "acme-x",
        "x",
        r#"{"access_token":"t","expires_in":8640000}"#,
    );
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    env.run(&["check", "--online"])
        .code(3)
        .stderr_has("not checked online: provider x has no client_id: set it under [providers.x]")
        .stdout_has("broken");
    // A renewal that is due cannot be made without the app: that is the config's.
    env.add(
        "due",
        "x",
        r#"{"access_token":"t","refresh_token":"r","expires_in":60}"#,
    );
    env.run(&["refresh", "due", "--force"])
        .code(1)
        .stdout_has("provider x has no client_id");
}

#[test]
fn check_finds_tokens_missing_from_the_secret_store_and_their_return() {
    let env = Env::new();
    env.add("a", "x", "token-a");
    let saved = env.secrets()["profile:a"].as_str().unwrap().to_owned();
    env.set_secret("profile:a", None);
    env.run(&["check"])
        .code(3)
        .stdout_has("Reauth required: token missing from the secret store");
    let listed = env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(listed[0]["reason"], "secret_missing");
    env.set_secret("profile:a", Some(&saved));
    env.run(&["check"]).success();
    let listed = env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(listed[0]["status"], "ok");
}

#[test]
fn providers_list_and_set_secret() {
    let env = Env::new();
    env.write_config(
        "[providers.corp]\nissuer = \"https://login.example.com\"\nclient_id = \"sbctl\"\n\n[providers.x]\nclient_id = \"xid\"\n",
    );
    env.add("a", "x", "t");
    insta::assert_snapshot!(env.run(&["providers", "list"]).snapshot());
    let json = env.run(&["providers", "list", "--json"]).json();
    let corp = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "corp")
        .unwrap();
    assert_eq!(corp["built_in"], false);
    assert_eq!(corp["config"]["issuer"], "https://login.example.com");

    env.run_with_stdin(&["providers", "set-secret", "corp"], "client-s3cret\n")
        .success()
        .stderr_has("stored the client secret for corp");
    assert_eq!(env.secrets()["client:corp"], "client-s3cret");
    env.run_with_stdin(&["providers", "set-secret", "corp"], "\n")
        .code(1)
        .stderr_has("no client secret on stdin; nothing was stored");
    assert_eq!(env.secrets()["client:corp"], "client-s3cret");
    env.run_with_stdin(&["providers", "set-secret", "nope"], "s")
        .code(2)
        .stderr_has("unknown network `nope`");
}

#[test]
fn doctor_reports_each_part() {
    let mut env = Env::new();
    env.write_config(
        "[providers.corp]\nauthorize_url = \"https://login.example.com/a\"\ntoken_url = \"https://login.example.com/t\"\nclient_id = \"sbctl\"\n\n[providers.pub]\nclient_id = \"p\"\nclient_auth = \"none\"\nauthorize_url = \"https://a\"\ntoken_url = \"https://t\"\n",
    );
    env.add("a", "x", "t");
    // A provider every command would refuse (no secret) is broken, not a warning.
    let run = env.run(&["doctor"]);
    run.code(1)
        .stdout_has("schema 12, 1 profile")
        .stdout_has("file (")
        .stdout_has(": working")
        .stdout_has("FAIL  provider corp  client_id sbctl, no client secret: run `sbctl providers set-secret corp`")
        .stdout_has("public client (no secret)")
        .stdout_has("not configured (no client_id): facebook, instagram");
    env.set("SBCTL_CLIENT_SECRET_CORP", "from-env");
    env.run(&["doctor"])
        .success()
        .stdout_has("client secret from SBCTL_CLIENT_SECRET_CORP");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.secrets_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["doctor"])
        .code(1)
        .stdout_has("FAIL  secrets")
        .stdout_has("mode 644");
}

#[test]
fn doctor_judges_settings_as_the_commands_do_and_runs_every_check() {
    let mut env = Env::new();
    let providers = "[providers.instagram]\nclient_id = \"i\"\nlogin = \"foo\"\n\n[providers.corp]\nissuer = \"http://login.example.com\"\nclient_id = \"c\"\n\n[providers.bare]\nclient_id = \"b\"\n\n[notify]\nwebhook = \"http://hooks.example.com/sbctl\"\n";
    env.write_config(&format!(
        "secrets_key_file = \"/nonexistent/sbctl/key.txt\"\n\n{providers}"
    ));
    env.set("SBCTL_CLIENT_SECRET_INSTAGRAM", "s");
    let run = env.run(&["doctor"]);
    run.code(1)
        // The key that does not exist yet stops nothing after it.
        .stdout_has("FAIL  secrets")
        .stdout_has("/nonexistent/sbctl/key.txt")
        .stdout_has("FAIL  provider instagram")
        .stdout_has("login")
        .stdout_has("FAIL  provider corp")
        .stdout_has("must use https")
        .stdout_has("FAIL  provider bare")
        .stdout_has("FAIL  notify")
        .stdout_has("webhook `http://hooks.example.com/sbctl` must use https");
    // Each line is what the command that uses the setting says.
    env.write_config(providers);
    for (args, words) in [
        (
            vec![
                "profiles",
                "add",
                "p",
                "--network",
                "instagram",
                "--no-browser",
            ],
            "login",
        ),
        (
            vec!["profiles", "add", "p", "--network", "corp", "--no-browser"],
            "must use https",
        ),
    ] {
        env.run(&args).code(1).stderr_has(words);
    }
}

#[test]
fn doctor_names_a_secret_stored_for_a_provider_without_client_id() {
    let env = Env::new();
    env.run_with_stdin(&["providers", "set-secret", "facebook"], "s3cret")
        .success()
        .stderr_has("warning: facebook has no client_id yet: set it under [providers.facebook]");
    env.run(&["doctor"]).success().stdout_has(
        "warn  provider facebook  a client secret is stored, but there is no client_id",
    );
}

#[test]
fn check_says_a_renewal_was_cut_off_instead_of_all_ok() {
    let env = Env::new();
    env.add_renewable("acme");
    // As a renewal stopped by two Ctrl-C while the provider answered leaves it.
    env.sql("UPDATE profiles SET renewal_started_at = unixepoch() - 60 WHERE id = 'acme'");
    let run = env.run(&["check"]);
    run.success()
        .stderr_has("1 renewal was started and not finished (in progress now, or cut off when sbctl was stopped); the next `sbctl refresh` will settle whether its token still works")
        .stderr_has("no profile needs attention, but a renewal has not finished");
    assert!(
        !run.stderr.contains("all profiles are OK"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_renewal_that_never_reached_the_network_is_not_called_cut_off() {
    let env = Env::new();
    // A port nothing listens on: the connection is refused, no request is sent.
    let port = crate::support::free_port();
    env.write_config(&format!(
        "[providers.corp]\nclient_id = \"sbctl\"\nclient_auth = \"none\"\n\
         authorize_url = \"http://127.0.0.1:{port}/auth\"\n\
         token_url = \"http://127.0.0.1:{port}/token\"\n"
    ));
    env.add(
        "acme",
        "corp",
        r#"{"access_token":"t","refresh_token":"r","expires_in":60}"#,
    );
    env.run(&["refresh", "acme", "--force"])
        .code(4)
        .stdout_has("connection refused or unreachable");
    assert_eq!(
        env.scalar("SELECT renewal_started_at IS NULL FROM profiles WHERE id = 'acme'"),
        1,
        "the refresh token cannot have been used"
    );
    let check = env.run(&["check"]);
    assert!(
        !check.stderr.contains("started and not finished"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_dry_run_exits_as_its_plan_says() {
    let env = Env::new();
    env.add_renewable("fine");
    env.run(&["refresh", "--all", "--dry-run"]).success();
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    env.run(&["refresh", "--all", "--dry-run"])
        .code(3)
        .stdout_has("needs reauth");
    env.run(&["refresh", "fine", "--dry-run"]).success();
}

#[test]
fn verbose_names_the_database_once_however_many_workers() {
    let env = Env::new();
    for i in 0..4 {
        env.add_renewable(&format!("p{i}"));
    }
    let run = env.run(&["-v", "check", "--online"]);
    assert_eq!(
        run.stderr.matches("debug: database").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn counts_read_as_english() {
    let env = Env::new();
    for id in ["a", "b"] {
        env.add(id, "facebook", "t");
    }
    env.sql("UPDATE profiles SET reauth_reason = 'revoked'");
    env.run(&["refresh", "--all"])
        .code(3)
        .stdout_has("2 profiles: 2 need reauth");
    env.sql("DELETE FROM profiles WHERE id = 'b'");
    env.run(&["refresh", "--all"])
        .code(3)
        .stdout_has("1 profile: 1 needs reauth");
}
