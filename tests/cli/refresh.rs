//! Renewal against the real OAuth server: due selection, rotation, concurrency,
//! revocation, passing failures, malformed answers and processes killed mid-renewal.

use crate::support::oidc::{
    add_through_browser, browser_result, clear_browser_result, corp_env, stored_tokens, OidcServer,
};
use crate::support::Env;
use serde_json::json;

/// An environment with `ids` connected through the browser, all as alice. `client` is
/// `sbctl` (rotating refresh tokens) or `sbctl-norotate`.
fn connected(server: &OidcServer, client: &str, ids: &[&str]) -> Env {
    let env = corp_env(server, "");
    let config = std::fs::read_to_string(env.config_path()).unwrap().replace(
        "client_id = \"sbctl\"",
        &format!("client_id = \"{client}\""),
    );
    env.write_config(&config);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            clear_browser_result(&env);
        }
        add_through_browser(&env, id).success();
    }
    browser_result(&env);
    env
}

fn status(env: &Env, id: &str) -> serde_json::Value {
    env.run(&["profiles", "show", id, "--json"]).json()
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn only_due_tokens_are_renewed() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["due", "fresh"]);
    // "due" was issued 59 minutes ago with a one-hour life: past half of it.
    env.sql("UPDATE profiles SET issued_at = unixepoch() - 3540, expires_at = unixepoch() + 60 WHERE id = 'due'");
    let before_due = stored_tokens(&env, "due");
    let before_fresh = stored_tokens(&env, "fresh");
    let plan = env.run(&["refresh", "--all", "--dry-run", "--json"]);
    plan.success();
    assert_eq!(
        plan.json(),
        json!([
            {"id": "due", "network": "corp", "action": "renew"},
            {"id": "fresh", "network": "corp", "action": "not due"},
        ])
    );
    assert_eq!(
        stored_tokens(&env, "due"),
        before_due,
        "a dry run touches nothing"
    );
    let run = env.run(&["refresh", "--all"]);
    run.success().stdout_has("2 profiles: 1 renewed, 1 not due");
    let after_due = stored_tokens(&env, "due");
    assert_ne!(after_due["access_token"], before_due["access_token"]);
    assert_ne!(
        after_due["refresh_token"], before_due["refresh_token"],
        "rotated"
    );
    assert_eq!(stored_tokens(&env, "fresh"), before_fresh);
    let due = status(&env, "due");
    assert_eq!(due["status"], "ok");
    assert!(due["last_refreshed_at"].is_string());
    // The rotated token is the one that works now.
    env.run(&["refresh", "due", "--force"])
        .success()
        .stdout_has("1 renewed");
    // Quiet when all is well: cron mails nothing.
    let quiet = env.run(&["-q", "refresh", "--all"]);
    quiet.success();
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn concurrent_runs_never_use_a_rotated_token_twice() {
    let server = OidcServer::start();
    let ids = ["c1", "c2", "c3", "c4"];
    let env = connected(&server, "sbctl", &ids);
    let children: Vec<_> = (0..4)
        .map(|_| {
            env.std_command(&["refresh", "--all", "--force", "--concurrency", "2"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("needs reauth"), "{text}");
    }
    // Every grant is still alive: one more forced round renews all of them.
    env.run(&["refresh", "--all", "--force"])
        .success()
        .stdout_has("4 profiles: 4 renewed");
    for id in ids {
        assert_eq!(status(&env, id)["status"], "ok");
    }
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_revoked_grant_needs_reauthorization() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["acme"]);
    let refresh_token = stored_tokens(&env, "acme")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    server.revoke("sbctl", &refresh_token);
    let run = env.run(&["refresh", "--all", "--force"]);
    run.code(3)
        .stdout_has("acme: Reauth required: access revoked")
        .stdout_has("fix: sbctl reauth acme");
    let s = status(&env, "acme");
    assert_eq!(
        (s["status"].as_str(), s["reason"].as_str()),
        (Some("reauth_required"), Some("revoked"))
    );
    assert!(
        s["last_error"].as_str().unwrap().contains("invalid_grant"),
        "{s}"
    );
    env.run(&["token", "acme"])
        .code(3)
        .stderr_has("run `sbctl reauth acme`");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn passing_failures_are_retried_then_recorded() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["acme"]);
    server.faults(json!({"token503": 2}));
    env.run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
    let before = stored_tokens(&env, "acme");
    server.faults(json!({"token503": 1000}));
    let started = std::time::Instant::now();
    let run = env.run(&["refresh", "acme", "--force"]);
    run.code(4)
        .stdout_has("acme: Refresh failed: HTTP 503: temporarily unavailable")
        .stdout_has("fix: sbctl refresh acme");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "bounded in time"
    );
    let s = status(&env, "acme");
    assert_eq!(s["status"], "refresh_failed");
    assert_eq!(stored_tokens(&env, "acme"), before, "the token is kept");
    // ...and still served, since it has not expired.
    assert_eq!(
        env.run(&["token", "acme"]).stdout,
        format!("{}\n", before["access_token"].as_str().unwrap())
    );
    env.run(&["check"]).code(4);
    server.faults(json!({"token503": 0}));
    env.run(&["refresh", "--all"])
        .success()
        .stdout_has("1 renewed");
    assert_eq!(status(&env, "acme")["status"], "ok");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn malformed_answers_are_classified_and_the_others_still_renewed() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl-norotate", &["a", "b"]);
    // Every attempt of one profile (4) meets the broken answers; the other gets through.
    server.faults(json!({"tokenHtml": 2, "tokenTruncated": 2}));
    let run = env.run(&["refresh", "--all", "--force", "--concurrency", "1"]);
    run.code(4)
        .stdout_has("2 profiles: 1 renewed, 1 failed")
        .stdout_has("answer is not JSON");
    for id in ["a", "b"] {
        assert!(
            stored_tokens(&env, id)["refresh_token"].is_string(),
            "no token lost"
        );
    }
    // Without rotation, the failed one renews fine next time.
    env.run(&["refresh", "--all", "--force"])
        .success()
        .stdout_has("2 renewed");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn token_renews_a_token_about_to_expire() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["acme"]);
    let before = stored_tokens(&env, "acme");
    let run = env.run(&["token", "acme", "--min-valid", "2h"]);
    run.success();
    let after = stored_tokens(&env, "acme");
    assert_ne!(after["access_token"], before["access_token"]);
    assert_eq!(
        run.stdout,
        format!("{}\n", after["access_token"].as_str().unwrap())
    );
    // Not within --min-valid: no renewal.
    assert_eq!(env.run(&["token", "acme"]).stdout, run.stdout);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn check_online_finds_a_revoked_grant() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["good", "gone"]);
    env.run(&["check", "--online"]).success();
    assert!(status(&env, "good")["last_checked_at"].is_string());
    let rt = stored_tokens(&env, "gone")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    server.revoke("sbctl", &rt);
    let run = env.run(&["check", "--online"]);
    run.code(3)
        .stdout_has("gone")
        .stdout_has("Reauth required: access revoked");
    assert!(!run.stdout.contains("good"), "{}", run.stdout);
}

/// Kills `refresh` at several moments of a renewal whose answer the provider holds back
/// after using the refresh token; then runs it again.
fn kill_during_renewal(client: &str) -> Vec<(u64, String)> {
    let server = OidcServer::start();
    let points = [20u64, 150, 350, 600, 800];
    let ids: Vec<String> = points.iter().map(|ms| format!("k{ms}")).collect();
    let env = connected(
        &server,
        client,
        &ids.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    server.faults(json!({"tokenDelayMs": 500}));
    let mut seen = Vec::new();
    for (ms, id) in points.iter().zip(&ids) {
        let mut child = env.spawn_silent(&["refresh", id, "--force"]);
        std::thread::sleep(std::time::Duration::from_millis(*ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        seen.push((*ms, id.clone()));
    }
    server.faults(json!({"tokenDelayMs": 0}));
    let mut results = Vec::new();
    for (ms, id) in seen {
        let run = env.run(&["refresh", &id]);
        let s = status(&env, &id);
        let state = format!(
            "{}/{}",
            s["status"].as_str().unwrap(),
            s["reason"].as_str().unwrap_or("-")
        );
        if s["status"] == "ok" {
            // "ok" must be true: the stored refresh token still works.
            env.run(&["refresh", &id, "--force"])
                .success()
                .stdout_has("1 renewed");
        } else {
            assert_eq!(run.code, 3, "{}", run.snapshot());
        }
        let conn = rusqlite::Connection::open(env.db_path()).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        results.push((ms, state));
    }
    results
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn killed_renewals_without_rotation_heal_on_the_next_run() {
    let results = kill_during_renewal("sbctl-norotate");
    for (ms, state) in &results {
        assert_eq!(state, "ok/-", "killed at {ms} ms: {results:?}");
    }
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn killed_renewals_with_rotation_are_never_reported_ok_when_broken() {
    let results = kill_during_renewal("sbctl");
    for (ms, state) in &results {
        assert!(
            state == "ok/-" || state == "reauth_required/invalid",
            "killed at {ms} ms: {results:?}"
        );
    }
    // A kill while the provider held back its answer (after using the token) is the
    // case that must be caught.
    assert!(
        results.iter().any(|(_, s)| s == "reauth_required/invalid"),
        "{results:?}"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn token_during_a_cron_run_waits_for_it_instead_of_renewing_twice() {
    let server = OidcServer::start();
    let env = connected(&server, "sbctl", &["acme"]);
    // The cron run's renewal is slow to answer; `token` arrives in the middle of it.
    server.faults(json!({"tokenDelayMs": 1500}));
    let cron = env
        .std_command(&["refresh", "--all", "--force", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let token = env.run(&["token", "acme", "--min-valid", "2h"]);
    let cron = cron.wait_with_output().unwrap();
    assert!(cron.status.success());
    let report: serde_json::Value = serde_json::from_slice(&cron.stdout).unwrap();
    assert_eq!(report[0]["outcome"], "renewed");
    token.success();
    // `token` renewed after the cron run, with the rotated refresh token it left: had
    // it used the old one, the provider would have revoked the whole grant.
    assert_eq!(
        token.stdout,
        format!(
            "{}\n",
            stored_tokens(&env, "acme")["access_token"]
                .as_str()
                .unwrap()
        )
    );
    server.faults(json!({"tokenDelayMs": 0}));
    env.run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
}
