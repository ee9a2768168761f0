//! A renewal held up past its lease (stopped with SIGSTOP after its answer came, as a
//! suspended laptop or a stalled VM would be) while a second process renews the same
//! profile, then let go: whatever the network's rotation rule, the stored token is one
//! the network calls live, and both processes say what happened.

use crate::support::doubles::{scene, Scene};
use serde_json::json;
use std::process::Output;

/// What the two processes printed: the held-up one, and the one that came between.
struct Held {
    first: Output,
    second: crate::support::Run,
}

/// Renews `acme` in a process stopped once its answer has come; renews it again in a
/// second process that lives past the first one's lease (its clock 10 minutes on);
/// then lets the first go on.
fn renewal_held_up_past_its_lease(s: &Scene) -> Held {
    let first = s
        .env
        .pause_at("renewal-answered", &["refresh", "acme", "--force"]);
    let second = s
        .env
        .std_command(&["refresh", "acme", "--force"])
        .env("SBCTL_TEST_CLOCK_OFFSET", "600")
        .output()
        .unwrap();
    let second = crate::support::Run {
        code: second.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&second.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&second.stderr).into_owned(),
    };
    // SAFETY: kill has no memory preconditions.
    unsafe { libc::kill(first.id() as i32, libc::SIGCONT) };
    Held {
        first: first.wait_with_output().unwrap(),
        second,
    }
}

fn said(o: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Whether the network calls the stored tokens live.
fn stored_tokens_live(s: &Scene) -> bool {
    let t = s.tokens("acme");
    let state = s.double.state();
    let access = state.live(t["access_token"].as_str(), &["access"]).is_ok();
    let refresh = match t["refresh_token"].as_str() {
        Some(rt) => state.live(Some(rt), &["refresh"]).is_ok(),
        None => true,
    };
    access && refresh
}

#[test]
fn a_non_rotating_provider_keeps_the_newer_tokens() {
    // Google renews without rotating: both renewals succeed.
    let s = scene(
        "youtube",
        vec![json!({"id": "UC-ann", "name": "Ann Cooks"})],
    );
    s.add("acme", "youtube", &[]).success();
    let held = renewal_held_up_past_its_lease(&s);
    held.second.success().stdout_has("1 renewed");
    let second_token = s.tokens("acme")["access_token"].clone();
    let first = said(&held.first);
    assert!(held.first.status.success(), "{first}");
    assert!(first.contains("1 superseded"), "{first}");
    assert!(
        first.contains("another sbctl stored newer tokens meanwhile: they are kept"),
        "{first}"
    );
    assert_eq!(
        s.tokens("acme")["access_token"],
        second_token,
        "the newer tokens are kept"
    );
    assert!(stored_tokens_live(&s));
    assert_eq!(s.show("acme")["status"], "ok");
}

#[test]
fn a_rotating_provider_that_refused_the_second_leaves_the_first_to_heal_it() {
    // X refuses a refresh token presented twice: the second renewal is refused, and the
    // held-up one holds the only live token.
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    let held = renewal_held_up_past_its_lease(&s);
    held.second.code(3).stdout_has("1 needs reauth");
    let first = said(&held.first);
    assert!(held.first.status.success(), "{first}");
    assert!(first.contains("1 renewed"), "{first}");
    assert!(first.contains("healed"), "{first}");
    assert!(stored_tokens_live(&s), "the live token was stored");
    assert_eq!(s.show("acme")["status"], "ok");
    // And it goes on working.
    s.env
        .run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
}

#[test]
fn a_rotating_provider_with_a_grace_period_keeps_the_latest() {
    // Within a grace period the used token is answered again, and what the first use
    // gave is revoked: the held-up renewal's tokens are dead.
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.double.state().reuse_grace = true;
    let held = renewal_held_up_past_its_lease(&s);
    held.second.success().stdout_has("1 renewed");
    let first = said(&held.first);
    assert!(held.first.status.success(), "{first}");
    assert!(first.contains("1 superseded"), "{first}");
    assert!(stored_tokens_live(&s), "no dead token over the live one");
    assert_eq!(s.show("acme")["status"], "ok");
    s.env
        .run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
}
