//! The eight built-in networks against their test doubles (tests/support/doubles),
//! through the real binary: add, reauth, renew, verify, revoke, and each documented
//! failure mapped to the right status and reason.

use crate::support::doubles::{facebook::pages, scene, Dead, Scene};
use serde_json::{json, Value};

/// Ann's YouTube channels, Facebook Pages and so on, where the network has several.
fn accounts(network: &str) -> Vec<Value> {
    match network {
        "facebook" | "instagram-fb" => pages(&[
            ("p-1", "Acme Bakery", Some(("ig-1", "acme.bakes"))),
            ("p-2", "Acme Cafe", None),
        ]),
        "youtube" => vec![json!({"id": "UC-ann", "name": "Ann Cooks"})],
        _ => Vec::new(),
    }
}

fn status(s: &Scene, id: &str) -> (String, Value) {
    let p = s.show(id);
    (
        p["status"].as_str().unwrap().to_owned(),
        p["reason"].clone(),
    )
}

/// The network name sbctl knows the scene's network by.
fn sbctl_name(network: &str) -> &str {
    if network == "instagram-fb" {
        "instagram"
    } else {
        network
    }
}

/// What every network must do (`revoked_reads_as`: the reason a revoked grant gets
/// from the network's check: Graph errors and LinkedIn's introspection say
/// "revoked", the identity calls of X, Google, TikTok and Pinterest only "invalid"): connect through the browser as the right account,
/// verify, renew where it can (honouring its rules), notice a revoked grant, reconnect
/// the same account, and revoke (or say plainly that it cannot).
fn lifecycle(network: &str, account_id: &str, account_name: &str, revoked_reads_as: &str) {
    let s = scene(network, accounts(network));
    let name = sbctl_name(network);
    let added = s.add("acme", name, &["--account", account_id]);
    added
        .success()
        .stderr_has(&format!("acme: connected as {account_name} ({name})"));
    let p = s.show("acme");
    assert_eq!(p["account_id"], account_id, "{p}");
    assert_eq!(p["status"], "ok", "{p}");
    assert!(p["last_error"].is_null());
    let first = s.tokens("acme");
    assert!(first["access_token"].is_string());

    // Verify online: nothing needs attention.
    s.env.run(&["check", "--online"]).success();

    // Renew by the network's own mechanism.
    let renewable = !matches!(network, "facebook" | "instagram-fb");
    if matches!(network, "instagram" | "threads") {
        // Too young: sbctl does not even ask; the double would refuse.
        s.env
            .run(&["refresh", "acme", "--force"])
            .success()
            .stdout_has("1 skipped");
        assert_eq!(s.double.calls("/refresh_access_token"), 0);
        s.age("acme", 25 * 3600);
    }
    let refreshed = s.env.run(&["refresh", "acme", "--force"]);
    refreshed.success();
    if renewable {
        refreshed.stdout_has("1 renewed");
        assert_ne!(s.tokens("acme")["access_token"], first["access_token"]);
        // A second renewal works too: a rotated refresh token was stored.
        if matches!(network, "instagram" | "threads") {
            s.age("acme", 25 * 3600);
        }
        s.env
            .run(&["refresh", "acme", "--force"])
            .success()
            .stdout_has("1 renewed");
    } else {
        refreshed.stdout_has("not due");
    }
    assert_eq!(status(&s, "acme").0, "ok");

    // The user removes the app at the network: sbctl notices and says so.
    s.double.state().kill_user("u-ann", Dead::Revoked);
    let checked = s.env.run(&["check", "--online"]);
    checked.code(3).stdout_has("acme");
    assert_eq!(
        status(&s, "acme"),
        ("reauth_required".into(), json!(revoked_reads_as))
    );

    // Re-authorize: the same account again, usable again.
    let again = s.env.run(&["reauth", "acme", "--timeout", "30s"]);
    again.success().stderr_has("connected again");
    assert_eq!(status(&s, "acme").0, "ok");
    assert_eq!(s.show("acme")["account_id"], account_id);

    // Remove with --revoke: revoked at the network where it offers a way.
    let removed = s
        .env
        .run(&["profiles", "remove", "acme", "--revoke", "--yes"]);
    if matches!(network, "instagram" | "threads" | "pinterest") {
        removed
            .code(1)
            .stderr_has("offers no revocation API")
            .stderr_has("nothing was removed");
        s.env
            .run(&["profiles", "remove", "acme", "--yes"])
            .success();
    } else {
        // Where revocation ends every grant the user gave the app, access is gone;
        // elsewhere only the tokens sbctl held are known to be.
        let said = if matches!(network, "facebook" | "instagram-fb" | "youtube" | "tiktok") {
            "access revoked at"
        } else {
            "its tokens were revoked at"
        };
        removed.success().stderr_has(said);
        let token = s.tokens_gone_or("acme");
        assert!(token.is_none());
        let still_live = s
            .double
            .state()
            .tokens
            .values()
            .any(|t| t.user == "u-ann" && t.dead.is_none());
        assert!(
            !still_live,
            "the network no longer honours any of Ann's tokens"
        );
    }
}

#[test]
fn facebook_lifecycle() {
    lifecycle("facebook", "p-1", "Acme Bakery", "revoked");
}

#[test]
fn instagram_through_facebook_lifecycle() {
    lifecycle("instagram-fb", "ig-1", "acme.bakes", "revoked");
}

#[test]
fn instagram_lifecycle() {
    lifecycle("instagram", "u-ann", "Ann", "revoked");
}

#[test]
fn threads_lifecycle() {
    lifecycle("threads", "u-ann", "Ann", "revoked");
}

#[test]
fn x_lifecycle() {
    lifecycle("x", "u-ann", "ann", "invalid");
}

#[test]
fn linkedin_lifecycle() {
    lifecycle("linkedin", "u-ann", "Ann", "revoked");
}

#[test]
fn youtube_lifecycle() {
    lifecycle("youtube", "UC-ann", "Ann Cooks", "invalid");
}

#[test]
fn tiktok_lifecycle() {
    lifecycle("tiktok", "u-ann", "Ann", "invalid");
}

#[test]
fn pinterest_lifecycle() {
    // Pinterest's stable account id, with the username as its name.
    lifecycle("pinterest", "u-ann", "ann", "invalid");
}

#[test]
fn facebook_pages_are_chosen_by_account_and_their_deadlines_come_from_debug_token() {
    let s = scene("facebook", accounts("facebook"));
    // Not at a terminal, without --account: the choices, and nothing added.
    s.add("acme", "facebook", &[])
        .code(1)
        .stderr_has("reaches 2 accounts: Acme Bakery (p-1), Acme Cafe (p-2); nothing was changed")
        .stderr_has("--account");
    assert_eq!(s.env.run(&["profiles", "list", "--json"]).json(), json!([]));
    s.add("cafe", "facebook", &["--account", "Acme Cafe"])
        .success();
    let p = s.show("cafe");
    assert_eq!(p["account_id"], "p-2");
    assert!(p["expires_at"].is_null(), "a Page token never expires: {p}");
    // Facebook said so (`debug_token`: `expires_at: 0`): "never", not "unknown".
    let shown = s.env.run(&["profiles", "show", "cafe"]);
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.starts_with("expires:") && l.ends_with("never")),
        "{}",
        shown.stdout
    );
    assert_eq!(p["renewable"], false);
    let data_access =
        chrono::DateTime::parse_from_rfc3339(p["data_access_expires_at"].as_str().unwrap())
            .unwrap();
    let days = (data_access.timestamp() - chrono::Utc::now().timestamp()) / 86_400;
    assert!((89..=90).contains(&days), "data access for 90 days: {days}");
    assert_eq!(s.double.calls("/debug_token"), 1);

    // Ann was last active 85 days ago: data access ends in 5 days, a deadline no
    // refresh can move, so the profile is `expiring` (exit 5) once a check learns it.
    let now = s.double.state().now();
    s.double.state().users.get_mut("u-ann").unwrap().active = now - 85 * 86_400;
    s.env.run(&["check", "--online"]).code(5).stdout_has("cafe");
    assert_eq!(status(&s, "cafe").0, "expiring");

    // A rate limit (code 4) is passing: a warning, nothing changes, and the run says
    // that a check could not be made (exit 4, which outranks "expiring").
    s.double.fault("/debug_token", 400, r#"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"x"}}"#, None);
    s.env
        .run(&["check", "--online"])
        .code(4)
        .stderr_has("could not be checked online (facebook token check (debug_token): HTTP 400: 4: (#4) Application request limit reached)");
    assert_eq!(status(&s, "cafe").0, "expiring");

    // The password changed: code 190, subcode 460.
    s.double.state().kill_user("u-ann", Dead::PasswordChanged);
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "cafe"),
        ("reauth_required".into(), json!("password_changed"))
    );
}

#[test]
fn a_sign_in_without_the_wanted_account_says_what_it_reaches() {
    let s = scene("instagram-fb", pages(&[("p-2", "Acme Cafe", None)]));
    s.add("ig", "instagram", &[])
        .code(1)
        .stderr_has("none of this Facebook user's Pages has an Instagram business account linked");
    let s = scene(
        "youtube",
        vec![
            json!({"id": "UC-1", "name": "Ann Cooks"}),
            json!({"id": "UC-2", "name": "Ann Travels"}),
        ],
    );
    s.add("yt", "youtube", &["--account", "UC-9"])
        .code(1)
        .stderr_has(
            "does not reach account `UC-9`; it reaches: Ann Cooks (UC-1), Ann Travels (UC-2)",
        );
    s.add("yt", "youtube", &["--account", "Ann Travels"])
        .success();
    assert_eq!(s.show("yt")["account_id"], "UC-2");
}

#[test]
fn a_wrong_client_secret_is_the_networks_refusal_and_nothing_is_stored() {
    for (network, words) in [
        ("facebook", "Error validating client secret"),
        ("instagram", "Invalid platform app"),
        (
            "x",
            "unauthorized_client (Missing valid authorization header)",
        ),
        ("tiktok", "invalid_client"),
        ("pinterest", "refused the code exchange"),
    ] {
        let mut s = scene(network, accounts(network));
        let name = sbctl_name(network);
        s.env.set(
            &format!("SBCTL_CLIENT_SECRET_{}", name.to_uppercase()),
            "wrong",
        );
        s.add("acme", name, &["--account", "p-1"])
            .code(1)
            .stderr_has(words)
            .stderr_has("nothing was changed");
        assert!(s.tokens_gone_or("acme").is_none(), "{network}");
        assert_eq!(s.env.run(&["profiles", "list", "--json"]).json(), json!([]));
    }
}

#[test]
fn a_secret_refused_at_renewal_names_the_secret_as_the_fix() {
    let mut s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.env.set("SBCTL_CLIENT_SECRET_X", "rotated-by-someone");
    s.env
        .run(&["refresh", "acme", "--force"])
        .code(1)
        .stdout_has("x refused sbctl's client credentials: check client_id and set the secret again (`sbctl providers set-secret x`)")
        .stdout_has("fix: sbctl providers set-secret x");
    let shown = s.env.run(&["profiles", "show", "acme"]);
    shown.stdout_has("sbctl providers set-secret x");
    assert!(
        !shown.stdout.contains("sbctl refresh acme"),
        "{}",
        shown.stdout
    );
    // The right secret again: renewed, and the mark is gone.
    let secret = s.double.state().client_secret.clone();
    s.env.set("SBCTL_CLIENT_SECRET_X", &secret);
    s.env.run(&["refresh", "acme", "--force"]).success();
    assert_eq!(s.show("acme")["status"], "ok");
}

#[test]
fn x_rotates_refresh_tokens_once_each_even_when_runs_overlap() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    let procs: Vec<_> = (0..4)
        .map(|_| {
            s.env
                .std_command(&["refresh", "--all", "--force"])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut p in procs {
        assert!(p.wait().unwrap().code().is_some_and(|c| c == 0));
    }
    // No refresh token was presented twice (X refuses a used one, and the double
    // counts each such try), the runs renewed, and the stored one is the live one.
    let state = s.double.state();
    assert_eq!(state.reused, 0, "a used refresh token was presented again");
    let used = state
        .tokens
        .values()
        .filter(|t| t.dead == Some(Dead::Used))
        .count();
    assert!(used >= 1, "the runs renewed");
    let stored = s.tokens("acme")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(state.tokens[&stored].dead, None);
    drop(state);
    assert_eq!(status(&s, "acme").0, "ok");

    // A rate limit with Retry-After is waited out.
    s.double.fault(
        "/2/oauth2/token",
        429,
        r#"{"title":"Too Many Requests","status":429}"#,
        Some("1"),
    );
    s.env
        .run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");

    // A refresh token X no longer accepts is the user's to fix.
    let stored = s.tokens("acme")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    s.double.state().tokens.get_mut(&stored).unwrap().dead = Some(Dead::Revoked);
    s.env.run(&["refresh", "acme", "--force"]).code(3);
    assert_eq!(
        status(&s, "acme"),
        ("reauth_required".into(), json!("revoked"))
    );
}

#[test]
fn linkedin_refresh_deadline_does_not_move_and_is_warned_about() {
    let s = scene("linkedin", Vec::new());
    s.add("li", "linkedin", &[]).success();
    // Ten days later (both clocks), renewing leaves the deadline where it was.
    s.age("li", 10 * 86_400);
    let before = s.show("li")["refresh_expires_at"].clone();
    assert!(before.is_string());
    s.env
        .run(&["refresh", "li", "--force"])
        .success()
        .stdout_has("1 renewed");
    let after = s.show("li")["refresh_expires_at"].clone();
    let secs = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    assert!(
        (secs(&after) - secs(&before)).abs() <= 2,
        "{before} -> {after}"
    );
    // Three days before the 365-day deadline, with no access token outliving it:
    // expiring, exit 5, as renewing cannot help.
    s.env.sql("UPDATE profiles SET refresh_expires_at = unixepoch() + 3 * 86400, expires_at = unixepoch() + 2 * 86400 WHERE id = 'li'");
    s.env.run(&["check"]).code(5).stdout_has("li");
    // Introspection tells an expired token from a revoked one.
    s.env
        .sql("UPDATE profiles SET refresh_expires_at = unixepoch() + 300 * 86400 WHERE id = 'li'");
    s.double.state().kill_user("u-ann", Dead::Expired);
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "li"),
        ("reauth_required".into(), json!("expired"))
    );
}

#[test]
fn tiktok_scopes_rate_limits_and_odd_answers() {
    let s = scene("tiktok", Vec::new());
    s.double.state().withheld = vec!["video.publish".into()];
    s.add("tt", "tiktok", &[])
        .code(3)
        .stderr_has("missing: video.publish");
    assert_eq!(
        status(&s, "tt"),
        ("reauth_required".into(), json!("scope_missing"))
    );
    assert!(
        s.tokens("tt")["refresh_token"].is_string(),
        "the tokens are kept"
    );
    s.double.state().withheld.clear();
    s.env.run(&["reauth", "tt", "--timeout", "30s"]).success();
    assert_eq!(status(&s, "tt").0, "ok");

    // Rate limited while checking: passing, a warning, nothing changed, exit 4.
    s.double.fault(
        "/v2/user/info/",
        429,
        r#"{"data":{},"error":{"code":"rate_limit_exceeded","message":"slow down","log_id":"1"}}"#,
        None,
    );
    s.env
        .run(&["check", "--online"])
        .code(4)
        .stderr_has("could not be checked online (tiktok identity call: HTTP 429: rate_limit_exceeded: slow down)");
    assert_eq!(status(&s, "tt").0, "ok");

    // A renewal answer in a shape the documentation does not give: classified, kept.
    let before = s.tokens("tt");
    for _ in 0..4 {
        s.double.fault(
            "/v2/oauth/token/",
            200,
            r#"{"data":{"captcha":"required"}}"#,
            None,
        );
    }
    let run = s.env.run(&["refresh", "tt", "--force"]);
    run.code(4)
        .stdout_has("tiktok: the token endpoint's answer cannot be used");
    assert_eq!(s.tokens("tt"), before, "no token lost");
}

#[test]
fn pinterest_refresh_is_continuous() {
    let s = scene("pinterest", Vec::new());
    s.add("pin", "pinterest", &[]).success();
    s.age("pin", 20 * 86_400);
    let first = s.show("pin")["refresh_expires_at"].clone();
    s.env
        .run(&["refresh", "pin", "--force"])
        .success()
        .stdout_has("1 renewed");
    let secs = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    let moved = secs(&s.show("pin")["refresh_expires_at"]) - secs(&first);
    assert!(
        (19 * 86_400..=21 * 86_400).contains(&moved),
        "the 60 days start again: {moved}"
    );
}

#[test]
fn threads_tokens_not_renewed_within_60_days_are_gone() {
    let s = scene("threads", Vec::new());
    s.add("th", "threads", &[]).success();
    s.age("th", 56 * 86_400);
    s.env.run(&["check"]).code(5).stdout_has("th");
    s.age("th", 5 * 86_400);
    s.env.run(&["check"]).code(3);
    assert_eq!(
        status(&s, "th"),
        ("reauth_required".into(), json!("expired"))
    );
}

#[test]
fn an_identity_answer_in_an_unknown_shape_is_named_not_a_panic() {
    let s = scene("instagram", Vec::new());
    s.double.fault("/me", 200, r#"{"unexpected": true}"#, None);
    s.add("ig", "instagram", &[])
        .code(1)
        .stderr_has("instagram's answer to the identity call is not what its documentation says: it has no `user_id`");
    assert_eq!(s.env.run(&["profiles", "list", "--json"]).json(), json!([]));
    s.env
        .run(&["profiles", "add", "x", "--network", "myspace"])
        .code(2)
        .stderr_has("unknown network `myspace`: known are");
}

#[test]
fn at_a_terminal_the_account_is_chosen_by_number() {
    let s = scene("facebook", accounts("facebook"));
    // `script` gives sbctl a terminal for its stdin.
    let mut terminal = s
        .env
        .at_terminal("profiles add cafe --network facebook --timeout 30s");
    terminal.wait_for("Which one? Type its number");
    terminal.type_line("7");
    terminal.wait_for("Type a number from 1 to 2");
    terminal.type_line("2");
    let (status, terminal) = terminal.finish();
    assert!(status.success(), "{terminal}");
    assert!(terminal.contains("1) Acme Bakery (p-1)"), "{terminal}");
    assert!(
        terminal.contains("cafe: connected as Acme Cafe (facebook)"),
        "{terminal}"
    );
    assert_eq!(s.show("cafe")["account_id"], "p-2");
}

#[test]
fn no_token_or_secret_reaches_output_logs_or_the_browsers_argv() {
    for network in ["x", "facebook"] {
        let mut s = scene(network, accounts(network));
        // A browser that writes down the arguments it was started with.
        let argv_log = s.env.root().join("browser-argv.log");
        let browser = s.env.root().join("browser.sh");
        std::fs::write(
            &browser,
            format!(
                "#!/bin/sh\necho \"$@\" >> {}\nexec {} \"$@\"\n",
                argv_log.display(),
                crate::support::follow_page()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
        s.env.set("BROWSER", browser.to_str().unwrap());
        let mut seen = String::new();
        let mut run = |args: &[&str], code: i32| {
            let r = s.env.run(args);
            assert_eq!(r.code, code, "{network}: {args:?}\n{}", r.snapshot());
            // `token` prints the token on stdout: the one place it is meant to go.
            if args[1] != "token" {
                seen.push_str(&r.stdout);
            }
            seen.push_str(&r.stderr);
        };
        let account = if network == "facebook" {
            "p-1"
        } else {
            "u-ann"
        };
        run(
            &[
                "-vv",
                "profiles",
                "add",
                "acme",
                "--network",
                network,
                "--account",
                account,
                "--timeout",
                "30s",
            ],
            0,
        );
        run(&["-vv", "refresh", "--all", "--force"], 0);
        run(&["-vv", "check", "--online"], 0);
        run(&["-vv", "profiles", "show", "acme"], 0);
        run(&["-vv", "profiles", "list", "--json"], 0);
        run(&["-vv", "profiles", "export"], 0);
        run(&["-vv", "doctor"], 0);
        s.double.state().kill_user("u-ann", Dead::Revoked);
        // A Page token is not renewed (it does not expire): nothing to refresh.
        let renewable = if network == "facebook" { 0 } else { 3 };
        run(&["-vv", "refresh", "--all", "--force"], renewable);
        run(&["-vv", "check", "--online"], 3);
        run(&["-vv", "token", "acme"], 3);
        run(&["-vv", "reauth", "acme", "--timeout", "30s"], 0);
        run(
            &["-vv", "profiles", "remove", "acme", "--revoke", "--yes"],
            0,
        );
        let argv = std::fs::read_to_string(&argv_log).unwrap();
        // The browser was started twice (add, reauth), on a private page each time:
        // its argv, which every local user can read, carries no state.
        assert_eq!(argv.matches("file://").count(), 2, "{argv}");
        assert!(!argv.contains("state"), "{argv}");
        let db = crate::support::bytes_with_companions(&s.env.db_path());
        assert!(db.len() > 4096, "the database was read");
        let state = s.double.state();
        let mut secrets: Vec<String> = state.tokens.keys().cloned().collect();
        secrets.extend(state.codes.keys().cloned());
        secrets.push(state.client_secret.clone());
        assert!(secrets.len() > 5, "{network}: tokens were issued:\n{seen}");
        for secret in &secrets {
            assert!(
                !seen.contains(secret.as_str()),
                "{network}: {secret} in sbctl's output:\n{seen}"
            );
            assert!(
                !argv.contains(secret.as_str()),
                "{network}: {secret} in the browser's argv"
            );
            assert!(
                !crate::support::contains(&db, secret),
                "{network}: {secret} in the database"
            );
        }
    }
}

#[test]
fn browser_commands_are_split_as_a_shell_would_and_failures_are_said() {
    let mut s = scene("x", Vec::new());
    // A browser whose path has a space, quoted as in a shell.
    let dir = s.env.root().join("My Browsers");
    std::fs::create_dir(&dir).unwrap();
    let browser = dir.join("follow page");
    std::fs::copy(crate::support::follow_page(), &browser).unwrap();
    s.env.set(
        "BROWSER",
        &format!("\"{}\" --max-time 20", browser.display()),
    );
    s.add("acme", "x", &[]).success();
    // A browser that cannot start is reported at once, with what it said, and the
    // address stays on the terminal to open by hand.
    let broken = dir.join("broken");
    std::fs::write(
        &broken,
        "#!/bin/sh\necho 'cannot open display :0' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).unwrap();
    s.env.set("BROWSER", &format!("'{}'", broken.display()));
    let add_other = [
        "profiles",
        "add",
        "other",
        "--network",
        "x",
        "--timeout",
        "2s",
    ];
    s.env
        .run(&add_other)
        .code(1)
        .stderr_has("could not start a browser (`")
        .stderr_has(
            "exited with exit status: 3: cannot open display :0); open the address yourself",
        )
        .stderr_has("open this address in a browser");
    s.env.set("BROWSER", "\"unterminated");
    s.env
        .run(&add_other)
        .code(1)
        .stderr_has("$BROWSER is not a command line");
}
