//! Saying only what is true: an online check never marks a live grant as broken on an
//! answer that allows another reading, a mark an online check set heals when the
//! provider says the token works again, and a check that could not be made is never
//! reported as "OK".

use crate::support::doubles::{scene, Dead, Scene};

fn status(s: &Scene, id: &str) -> (String, String) {
    let p = s.show(id);
    (
        p["status"].as_str().unwrap().to_owned(),
        p["reason"].as_str().unwrap_or("-").to_owned(),
    )
}

/// A custom provider whose introspection knows access tokens only, with Ann connected.
fn identity_server() -> Scene {
    let s = scene("identityserver", Vec::new());
    s.add("acme", "identityserver", &[]).success();
    assert_eq!(status(&s, "acme"), ("ok".into(), "-".into()));
    s
}

#[test]
fn active_false_for_a_refresh_token_is_not_taken_as_revoked() {
    let s = identity_server();
    // The server says `active: false` of every refresh token; the access token settles it.
    s.env.run(&["check", "--online"]).success();
    assert_eq!(status(&s, "acme"), ("ok".into(), "-".into()));
    assert_eq!(s.double.calls("/connect/introspect"), 2);
    s.env.run(&["token", "acme"]).success();

    // Once the access token has expired nothing but a renewal can tell: it is tried,
    // and it works.
    s.age("acme", 3_700);
    let before = s.tokens("acme");
    s.env.run(&["check", "--online"]).success();
    assert_eq!(status(&s, "acme"), ("ok".into(), "-".into()));
    assert_ne!(s.tokens("acme")["refresh_token"], before["refresh_token"]);

    // A revoked grant: the refresh token's `active: false` is confirmed by the access
    // token's.
    s.double.state().kill_user("u-ann", Dead::Revoked);
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "acme"),
        ("reauth_required".into(), "revoked".into())
    );
}

#[test]
fn introspect_setting_chooses_the_token_shown() {
    let s = identity_server();
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    // `refresh`: the operator says the server introspects refresh tokens; believed.
    s.env
        .write_config(&format!("{config}introspect = \"refresh\"\n"));
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "acme"),
        ("reauth_required".into(), "revoked".into())
    );
    // `access`: the next online check looks again, and the mark heals.
    s.env
        .write_config(&format!("{config}introspect = \"access\"\n"));
    let calls = s.double.calls("/connect/introspect");
    s.env.run(&["check", "--online"]).success();
    assert_eq!(status(&s, "acme"), ("ok".into(), "-".into()));
    assert_eq!(s.double.calls("/connect/introspect"), calls + 1);
    // `off`: userinfo only.
    s.env
        .write_config(&format!("{config}introspect = \"off\"\n"));
    let calls = s.double.calls("/connect/introspect");
    s.env.run(&["check", "--online"]).success();
    assert_eq!(s.double.calls("/connect/introspect"), calls);
    assert_eq!(
        s.double.calls("/connect/userinfo"),
        2,
        "connect, then check"
    );
    s.env
        .write_config(&format!("{config}introspect = \"sometimes\"\n"));
    s.env.run(&["check", "--online"]).code(1).stderr_has(
        "unknown variant `sometimes`, expected one of `auto`, `access`, `refresh`, `off`",
    );
}

#[test]
fn a_refused_renewal_is_never_revived_by_a_check() {
    let s = identity_server();
    s.double
        .fault("/connect/token", 400, r#"{"error":"invalid_grant"}"#, None);
    s.env.run(&["refresh", "acme", "--force"]).code(3);
    assert_eq!(status(&s, "acme").0, "reauth_required");
    let calls = s.double.state().calls.len();
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(status(&s, "acme").0, "reauth_required");
    assert_eq!(
        s.double.state().calls.len(),
        calls,
        "not asked about a grant its renewal refused"
    );
}

#[test]
fn a_check_that_could_not_be_made_is_not_ok() {
    let s = identity_server();
    s.add("other", "identityserver", &[]).success();
    s.double
        .fault("/connect/introspect", 503, "Service Unavailable", None);
    let run = s.env.run(&["check", "--online"]);
    run.code(4)
        .stderr_has("could not be checked online")
        .stderr_has("1 of 2 could not be checked online");
    assert!(
        !run.stderr.contains("all profiles are OK"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_check_whose_renewal_could_not_be_made_leaves_the_status_as_it_was() {
    let s = identity_server();
    // The access token has run out, so the check renews it; the token endpoint is down
    // for every attempt.
    s.env
        .sql("UPDATE profiles SET expires_at = unixepoch() - 60 WHERE id = 'acme'");
    assert_eq!(status(&s, "acme").0, "ok");
    for _ in 0..4 {
        s.double
            .fault("/connect/token", 503, "Service Unavailable", Some("0"));
    }
    s.env
        .run(&["check", "--online"])
        .code(4)
        .stderr_has("their status is what was known before");
    assert_eq!(
        status(&s, "acme").0,
        "ok",
        "an outage says nothing about the token"
    );
    // The renewal run, whose job it is, still counts what failed.
    for _ in 0..4 {
        s.double
            .fault("/connect/token", 503, "Service Unavailable", Some("0"));
    }
    s.env.run(&["refresh", "acme"]).code(4);
    assert_eq!(status(&s, "acme").0, "refresh_failed");
}

#[test]
fn verbose_shows_each_online_check_without_tokens() {
    let s = identity_server();
    let run = s.env.run(&["-v", "check", "--online"]);
    run.success()
        .stderr_has(&format!(
            "acme: online check: POST {}/connect/introspect: 200, POST {}/connect/introspect: 200; read as: the token works",
            s.double.base, s.double.base
        ));
    let tokens = s.tokens("acme");
    for t in ["access_token", "refresh_token"] {
        assert!(!run.stderr.contains(tokens[t].as_str().unwrap()));
    }
}

#[test]
fn reauth_waits_for_a_renewal_in_flight_instead_of_being_overwritten() {
    use crate::support::proxy::Trouble;
    let s = crate::support::doubles::scene_through_proxy("x", Vec::new());
    s.add("acme", "x", &[]).success();
    // The password changed: the renewal that is about to start will be refused, and
    // its answer is slow to come.
    s.double.state().kill_user("u-ann", Dead::PasswordChanged);
    s.proxy.as_ref().unwrap().push(
        "/2/oauth2/token",
        Trouble::Delay(std::time::Duration::from_secs(3)),
        1,
    );
    let refresh = s.env.spawn_silent(&["refresh", "--all", "--force"]);
    let in_flight = || {
        s.env
            .scalar("SELECT renewal_started_at IS NOT NULL FROM profiles WHERE id = 'acme'")
            == 1
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !in_flight() {
        assert!(
            std::time::Instant::now() < deadline,
            "the renewal never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Ann signs in again while the refused renewal is still on its way back.
    let reauth = s.env.run(&["reauth", "acme", "--timeout", "30s"]);
    refresh.wait_with_output().unwrap();
    reauth.success();
    assert_eq!(status(&s, "acme"), ("ok".into(), "-".into()));
    s.env.run(&["token", "acme"]).success();
    reauth.stderr_has("acme: waiting for a renewal in progress to end");
}

#[test]
fn a_refused_sign_in_is_revoked_unless_another_profile_lives_on_it() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.sign_in_as("u-bob", "Bob");
    let before = s.tokens("acme");
    s.env
        .run(&["reauth", "acme", "--timeout", "30s"])
        .code(1)
        .stderr_has("error: acme: signed in as bob (`u-bob`), but acme is ann (`u-ann`); nothing was changed; the tokens it issued were revoked at x")
        .stderr_has("sign in as ann (`u-ann`), or pass --allow-account-change to switch acme to bob (`u-bob`)");
    assert_eq!(s.tokens("acme"), before);
    let live = |user: &str| {
        let st = s.double.state();
        st.tokens
            .values()
            .filter(|t| t.user == user && t.dead.is_none())
            .count()
    };
    assert_eq!(live("u-bob"), 0, "Bob's new grant is revoked");
    assert_eq!(live("u-ann"), 2, "Ann's grant is untouched");

    // Bob's own profile lives on Bob's grant: a refused sign-in as Bob leaves it be.
    s.add("bob", "x", &[]).success();
    s.env
        .run(&["reauth", "acme", "--timeout", "30s"])
        .code(1)
        .stderr_has(
            "the tokens it issued were not revoked, because profile bob uses the same account",
        );
    assert_eq!(live("u-bob"), 4);
    s.env.run(&["check", "--online"]).success();
}

#[test]
fn connected_by_comes_from_the_user_database_under_cron() {
    let mut env = crate::support::Env::new();
    // cron sets neither USER nor LOGNAME on every system.
    env.unset("USER").unset("LOGNAME");
    env.add("acme", "x", "t");
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let p = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(p["connected_by"], format!("{me}@testhost"));
}

#[test]
fn refresh_words_never_say_ok_of_a_failed_renewal_or_a_reason_twice() {
    let env = crate::support::Env::new();
    // No client_id for x: the due renewal cannot be made.
    env.add(
        "acme",
        "x",
        r#"{"access_token":"a","refresh_token":"r","expires_in":60}"#,
    );
    env.add("gone", "x", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked', last_error = 'HTTP 400: invalid_grant: Token has been revoked' WHERE id = 'gone'");
    let run = env.run(&["refresh", "--all", "--force"]);
    run.code(1)
        .stdout_has("  acme: Refresh failed: provider x has no client_id")
        .stdout_has("  gone: Reauth required: access revoked: HTTP 400: invalid_grant: Token has been revoked\n");
    assert!(!run.stdout.contains(": OK"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("access revoked: access revoked"),
        "{}",
        run.stdout
    );
    let listed = env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(listed[0]["status"], "refresh_failed");
}

#[test]
fn facebook_permissions_and_pages_left_out_are_not_ok() {
    use crate::support::doubles::facebook::pages;
    let s = scene(
        "facebook",
        pages(&[("p-1", "Acme Bakery", None), ("p-2", "Acme Cafe", None)]),
    );
    // The user unticks a permission: the code exchange's answer does not say so, but
    // debug_token does.
    s.double.state().withheld = vec!["pages_manage_posts".into()];
    s.add("bakery", "facebook", &["--account", "p-1"])
        .code(3)
        .stderr_has("missing: pages_manage_posts");
    assert_eq!(
        status(&s, "bakery"),
        ("reauth_required".into(), "scope_missing".into())
    );
    // Facebook asks a declined permission again only with auth_type=rerequest.
    s.double.state().withheld.clear();
    s.env
        .run(&["reauth", "bakery", "--timeout", "30s"])
        .success();
    assert_eq!(status(&s, "bakery"), ("ok".into(), "-".into()));
    assert!(s.show("bakery")["scopes"]
        .as_array()
        .unwrap()
        .contains(&"pages_manage_posts".into()));

    // Signing in again for another Page, the user leaves the Bakery out of the Page
    // picker: the Bakery's token loses the Page, and the check says so by name.
    s.double.state().unselected = vec!["p-1".into()];
    s.env.run(&["check", "--online"]).code(3);
    assert_eq!(
        status(&s, "bakery"),
        ("reauth_required".into(), "scope_missing".into())
    );
    assert_eq!(
        s.show("bakery")["last_error"],
        "Acme Bakery was not selected in the Facebook dialog: run `sbctl reauth bakery` and select it"
    );
    // A reauth that leaves it out again changes nothing and says why.
    s.env
        .run(&["reauth", "bakery", "--timeout", "30s"])
        .code(1)
        .stderr_has("error: bakery: Acme Bakery was not selected in the Facebook dialog (this sign-in reaches Acme Cafe (`p-2`)); nothing was changed");
    // Selected again (through another profile's sign-in): the next check heals it.
    s.double.state().unselected.clear();
    s.env.run(&["check", "--online"]).success();
    assert_eq!(status(&s, "bakery"), ("ok".into(), "-".into()));
}
