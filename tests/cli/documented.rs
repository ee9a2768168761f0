//! Where sbctl must do what the networks' documentation says, against doubles whose
//! answers copy the documentation's examples (issue: Pinterest's continuous refresh,
//! its stable account id, deadlines that are known, TikTok's revocation).

use crate::support::doubles::{scene, Dead, Scene};

fn status(s: &Scene, id: &str) -> (String, String) {
    let p = s.show(id);
    (
        p["status"].as_str().unwrap().to_owned(),
        p["reason"].as_str().unwrap_or("-").to_owned(),
    )
}

#[test]
fn pinterest_continuous_refresh_keeps_every_new_refresh_token() {
    let s = scene("pinterest", Vec::new());
    s.add("pin", "pinterest", &[]).success();
    for _ in 0..3 {
        s.age("pin", 20 * 86_400);
        let before = s.tokens("pin")["refresh_token"].clone();
        // The answer carries refresh_token_expires_in and refresh_token_expires_at.
        s.env
            .run(&["refresh", "pin", "--force"])
            .success()
            .stdout_has("1 renewed");
        assert_ne!(
            s.tokens("pin")["refresh_token"],
            before,
            "the new one is kept"
        );
    }
    assert_eq!(status(&s, "pin"), ("ok".into(), "-".into()));
    // 60 days after the first sign-in, the grant lives on.
    s.age("pin", 5 * 86_400);
    s.env.run(&["check"]).success();
}

#[test]
fn a_new_refresh_token_in_an_odd_answer_is_stored_first() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    let scopes: Vec<String> = vec!["tweet.read".into(), "offline.access".into()];
    let (access, refresh) = {
        let mut st = s.double.state();
        (
            st.issue("at-", "access", "u-ann", None, Some(7_200), &scopes),
            st.issue("rt-", "refresh", "u-ann", None, None, &scopes),
        )
    };
    // A 200 whose `expires_in` cannot be read, after X has rotated the refresh token.
    let body = serde_json::json!({"token_type":"bearer","expires_in":"two hours",
        "access_token":access,"refresh_token":refresh,"scope":"tweet.read offline.access"});
    s.double
        .fault("/2/oauth2/token", 200, &body.to_string(), None);
    s.env
        .run(&["refresh", "acme", "--force"])
        .code(4)
        .stdout_has("the new refresh token in it was stored");
    assert_eq!(s.tokens("acme")["refresh_token"], refresh.as_str());
    assert_eq!(status(&s, "acme").0, "refresh_failed");
    // It works: the next renewal uses it.
    s.env
        .run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
    assert_eq!(s.double.state().reused, 0);
}

#[test]
fn pinterest_accounts_are_known_by_their_stable_id() {
    let s = scene("pinterest", Vec::new());
    s.add("pin", "pinterest", &[]).success();
    let p = s.show("pin");
    assert_eq!(p["account_id"], "u-ann");
    assert_eq!(p["account_name"], "ann");
    // Ann renames herself: still the same account.
    s.double.state().users.get_mut("u-ann").unwrap().username = Some("ann.bakes".into());
    s.env.run(&["reauth", "pin", "--timeout", "30s"]).success();
    let p = s.show("pin");
    assert_eq!(
        (p["account_id"].as_str(), p["account_name"].as_str()),
        (Some("u-ann"), Some("ann.bakes"))
    );

    // A profile connected when sbctl took the username for the id: the next check
    // finds the id by the username once, and keeps it.
    s.env.sql(
        "UPDATE profiles SET account_id = 'ann.bakes', account_name = 'ann.bakes' WHERE id = 'pin'",
    );
    s.env.run(&["check", "--online"]).success();
    assert_eq!(s.show("pin")["account_id"], "u-ann");
    // ... and a reauth of such a profile is the same person too.
    s.env.sql(
        "UPDATE profiles SET account_id = 'ann.bakes', account_name = 'ann.bakes' WHERE id = 'pin'",
    );
    s.env.run(&["reauth", "pin", "--timeout", "30s"]).success();
    assert_eq!(s.show("pin")["account_id"], "u-ann");
    // ... and so does a renewal.
    s.env.sql(
        "UPDATE profiles SET account_id = 'ann.bakes', account_name = 'ann.bakes' WHERE id = 'pin'",
    );
    s.env.run(&["refresh", "pin", "--force"]).success();
    assert_eq!(s.show("pin")["account_id"], "u-ann");
}

#[test]
fn a_passed_refresh_deadline_is_not_sent_nor_made_vaguer() {
    let s = scene("pinterest", Vec::new());
    s.add("pin", "pinterest", &[]).success();
    // Day 61: the 60-day refresh token has run out, and the 30-day access token too.
    s.age("pin", 61 * 86_400);
    s.env.run(&["check"]).code(3);
    assert_eq!(
        status(&s, "pin"),
        ("reauth_required".into(), "expired".into())
    );
    let renewals = s.double.calls("/v5/oauth/token");
    s.env
        .run(&["-v", "refresh", "pin", "--force"])
        .code(3)
        .stderr_has("pin: not renewed: its refresh token's deadline passed");
    assert_eq!(s.double.calls("/v5/oauth/token"), renewals, "nothing sent");
    assert_eq!(
        status(&s, "pin"),
        ("reauth_required".into(), "expired".into())
    );
    // An online check's 401 is vaguer than what the stored deadline says.
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "pin"),
        ("reauth_required".into(), "expired".into())
    );
    assert_eq!(s.double.calls("/v5/oauth/token"), renewals, "nothing sent");
}

#[test]
fn tiktok_is_revoked_with_the_access_token() {
    let s = scene("tiktok", Vec::new());
    s.add("tt", "tiktok", &[]).success();
    let live = |s: &Scene| {
        s.double
            .state()
            .tokens
            .values()
            .filter(|t| t.dead.is_none())
            .count()
    };
    s.env
        .run(&["profiles", "remove", "tt", "--revoke", "--yes"])
        .success()
        .stderr_has("tt: access revoked at tiktok");
    assert_eq!(live(&s), 0);

    // An expired access token is renewed first, then revoked.
    s.add("tt2", "tiktok", &[]).success();
    s.age("tt2", 2 * 86_400);
    s.env
        .run(&["profiles", "remove", "tt2", "--revoke", "--yes"])
        .success();
    assert_eq!(live(&s), 0);
    assert_eq!(s.double.state().reused, 0);

    // TikTok's refusal is said plainly, and nothing is removed.
    s.add("tt3", "tiktok", &[]).success();
    s.double.state().kill_user("u-ann", Dead::Revoked);
    s.double.fault(
        "/v2/oauth/revoke/",
        500,
        r#"{"error":"server_error","error_description":"try later","log_id":"1"}"#,
        None,
    );
    s.env
        .run(&["profiles", "remove", "tt3", "--revoke", "--yes"])
        .code(1)
        .stderr_has("tiktok revocation: HTTP 500")
        .stderr_has("nothing was removed");
    assert!(s.tokens_gone_or("tt3").is_some());
}

#[test]
fn tiktok_error_codes_count_whatever_the_http_status() {
    // TikTok documents its error bodies but not their status: a 200 carrying
    // access_token_invalid is the error it names, not a working token.
    let s = scene("tiktok", Vec::new());
    s.add("tt", "tiktok", &[]).success();
    s.double.fault(
        "/v2/user/info/",
        200,
        r#"{"data":{},"error":{"code":"access_token_invalid","message":"The access token is invalid or not found in the request.","log_id":"202611280000000003"}}"#,
        None,
    );
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "tt"),
        ("reauth_required".into(), "invalid".into())
    );
    // The next check finds the token working: a check's mark heals.
    s.env.run(&["check", "--online"]).success();
    assert_eq!(status(&s, "tt").0, "ok", "a check's mark heals");
}

/// The scene's config for LinkedIn without the lines that start with `key`.
fn linkedin_config_without(s: &Scene, keys: &[&str]) -> String {
    std::fs::read_to_string(s.env.config_path())
        .unwrap()
        .lines()
        .filter(|l| !keys.iter().any(|k| l.starts_with(k)))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn linkedin_standard_flow_redirects_to_one_exact_address() {
    let s = scene("linkedin", Vec::new());
    // Registered exactly, port included: it works.
    s.add("li", "linkedin", &[]).success();
    // Without redirect_port, sbctl uses LinkedIn's fixed default, 8765 (held here, so
    // that the test does not depend on whether it is free: sbctl names it either way).
    let _held = std::net::TcpListener::bind("127.0.0.1:8765");
    s.env
        .write_config(&linkedin_config_without(&s, &["redirect_port"]));
    s.add("li2", "linkedin", &[])
        .code(1)
        .stderr_has("port 8765");
    // Any port, as the README once said: LinkedIn shows its error page, and sbctl says
    // what to check instead of waiting out its timeout in silence.
    let run = s.env.run(&[
        "profiles",
        "add",
        "li3",
        "--network",
        "linkedin",
        "--port",
        "0",
        "--timeout",
        "4s",
    ]);
    run.code(1)
        .stderr_has("li3: still waiting for the browser. If it shows an error from linkedin, that is the port: linkedin matches the redirect URI exactly")
        .stderr_has("run again without --port 0")
        .stderr_has("Authorized redirect URLs for your app, port included");
    assert!(!run.stderr.contains("on any port"), "{}", run.stderr);
    assert_eq!(
        s.double.calls("/oauth/v2/accessToken"),
        1,
        "only li's exchange"
    );
}

#[test]
fn linkedin_native_pkce_takes_any_port_and_no_secret() {
    let mut s = scene("linkedin", Vec::new());
    let config = linkedin_config_without(
        &s,
        &["redirect_port", "authorize_url", "introspection_url"],
    )
    .replace(
        "[providers.linkedin]\n",
        &format!(
            "[providers.linkedin]\nlogin = \"native-pkce\"\nauthorize_url = \"{}/oauth/native-pkce/authorization\"\n",
            s.double.base
        ),
    );
    s.env.write_config(&config);
    s.env.unset("SBCTL_CLIENT_SECRET_LINKEDIN");
    s.add("li", "linkedin", &[]).success();
    assert_eq!(s.double.calls("/oauth/native-pkce/authorization"), 1);
    assert_eq!(status(&s, "li"), ("ok".into(), "-".into()));
    s.env.run(&["check", "--online"]).success();
    // A flow LinkedIn does not have is named.
    s.env
        .write_config(&config.replace("native-pkce\"\n", "desktop\"\n"));
    s.env
        .run(&["check", "--online"])
        .code(1)
        .stderr_has("login = \"desktop\" is not a LinkedIn sign-in flow");
}
