//! Many Pages, one login: `profiles add --all` and the sibling re-authorization, against
//! the Facebook and YouTube doubles.

use crate::support::doubles::{facebook::pages, scene, Dead};
use serde_json::json;

fn add_all(s: &crate::support::doubles::Scene, more: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "profiles",
        "add",
        "--all",
        "--network",
        "facebook",
        "--timeout",
        "30s",
    ];
    args.extend_from_slice(more);
    s.env.run(&args)
}

#[test]
fn add_all_connects_every_page_of_one_sign_in_or_none() {
    let s = scene(
        "facebook",
        pages(&[
            ("p-1", "Acme Bakery", None),
            ("p-2", "Acme Café", None),
            ("p-3", "Acme Bakery", None),
        ]),
    );
    // Listed, and nothing written.
    add_all(&s, &["--dry-run"])
        .success()
        .stderr_has("this facebook sign-in reaches 3 accounts to add:\n")
        .stderr_has("\n  facebook-acme-bakery    Acme Bakery (`p-1`)\n")
        .stderr_has("\n  facebook-acme-caf       Acme Café (`p-2`)\n")
        .stderr_has("\n  facebook-acme-bakery-2  Acme Bakery (`p-3`)\n")
        .stderr_has("--dry-run: nothing was added");
    assert_eq!(s.env.profile_count(), 0);
    assert!(!s.env.secrets_path().exists() || s.env.secrets().is_empty());

    // One account that cannot be finished: none is added.
    s.double.fault(
        "/debug_token",
        400,
        r#"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"x"}}"#,
        None,
    );
    add_all(&s, &[]).code(1).stderr_has("nothing was changed");
    assert_eq!(s.env.profile_count(), 0);

    add_all(&s, &["--id-template", "{slug}", "--tag", "client=acme"])
        .success()
        .stderr_has("added 3 profiles (facebook)");
    assert_eq!(s.env.ids(&[]), ["acme-bakery", "acme-bakery-2", "acme-caf"]);
    let p = s.show("acme-bakery-2");
    assert_eq!(p["account_id"], "p-3");
    assert_eq!(p["login_id"], "u-ann", "the Facebook user who manages it");
    assert_eq!(p["status"], "ok");
    assert_eq!(p["tags"], json!({"client": "acme"}));
    assert_ne!(
        s.tokens("acme-bakery")["access_token"],
        s.tokens("acme-caf")["access_token"],
        "each Page has its own token"
    );

    // Those connected already are not added twice.
    add_all(&s, &[])
        .code(1)
        .stderr_has("Acme Café (`p-2`): already connected as acme-caf")
        .stderr_has("reaches no account that is not connected already; nothing was added");
    // A template that cannot make an id is refused before the sign-in.
    add_all(&s, &["--id-template", "{page}"])
        .code(2)
        .stderr_has("has a placeholder sbctl does not know");
}

#[test]
fn one_sign_in_renews_every_page_of_a_user_whose_password_changed() {
    let s = scene(
        "facebook",
        pages(&[
            ("p-1", "Acme Bakery", None),
            ("p-2", "Acme Cafe", None),
            ("p-3", "Acme Deli", None),
        ]),
    );
    add_all(&s, &["--id-template", "{slug}"]).success();
    // Error 190/460 on every Page of Ann's.
    s.double.state().kill_user("u-ann", Dead::PasswordChanged);
    s.env.run(&["check", "--online"]).code(3);
    for id in ["acme-bakery", "acme-cafe", "acme-deli"] {
        assert_eq!(s.show(id)["reason"], "password_changed");
    }

    // --only-this: the others stay as they are.
    s.env
        .run(&["reauth", "acme-deli", "--only-this", "--timeout", "30s"])
        .success()
        .stderr_has("acme-deli: connected again as Acme Deli (facebook): OK");
    assert_eq!(s.show("acme-bakery")["reason"], "password_changed");

    // Ann no longer manages the Cafe: one sign-in renews the rest, and says so.
    s.double
        .state()
        .users
        .get_mut("u-ann")
        .unwrap()
        .accounts
        .retain(|p| p["id"] != "p-2");
    let before = s.tokens("acme-deli");
    s.env
        .run(&["reauth", "acme-bakery", "--timeout", "30s"])
        .code(3)
        .stderr_has("acme-bakery: connected again as Acme Bakery (facebook): OK")
        .stderr_has("acme-cafe: this sign-in does not reach Acme Cafe (`p-2`) any more")
        .stderr_has("renewing with the same sign-in: acme-deli")
        .stderr_has("acme-deli: connected again as Acme Deli (facebook): OK");
    assert_eq!(s.show("acme-bakery")["status"], "ok");
    assert_eq!(s.show("acme-deli")["status"], "ok");
    assert_ne!(s.tokens("acme-deli"), before);
    assert_eq!(s.show("acme-cafe")["reason"], "password_changed");
    // Every renewed token works at the network.
    s.env
        .run(&["check", "--online"])
        .code(3)
        .stdout_has("acme-cafe");
}

#[test]
fn add_all_makes_a_profile_for_each_youtube_channel() {
    let s = scene(
        "youtube",
        vec![
            json!({"id": "UC-ann", "name": "Ann Cooks"}),
            json!({"id": "UC-ann2", "name": "Ann Bakes"}),
        ],
    );
    s.env
        .run(&[
            "profiles",
            "add",
            "--all",
            "--network",
            "youtube",
            "--timeout",
            "30s",
        ])
        .success()
        .stderr_has("youtube-ann-cooks  Ann Cooks (`UC-ann`)")
        .stderr_has("added 2 profiles (youtube)");
    assert_eq!(s.show("youtube-ann-bakes")["account_id"], "UC-ann2");
}

#[test]
fn at_a_terminal_the_other_pages_are_renewed_only_if_asked() {
    let s = scene(
        "facebook",
        pages(&[("p-1", "Acme Bakery", None), ("p-2", "Acme Cafe", None)]),
    );
    add_all(&s, &["--id-template", "{slug}"]).success();
    s.double.state().kill_user("u-ann", Dead::PasswordChanged);
    s.env.run(&["check", "--online"]).code(3);
    let mut terminal = s.env.at_terminal("reauth acme-bakery --timeout 30s");
    terminal.wait_for("This sign-in also reaches acme-cafe. Renew them too? [Y/n]");
    terminal.type_line("n");
    let (status, shown) = terminal.finish();
    assert_eq!(status.code(), Some(0), "{shown}");
    assert!(shown.contains("acme-cafe: left as they were"), "{shown}");
    assert_eq!(s.show("acme-bakery")["status"], "ok");
    assert_eq!(s.show("acme-cafe")["reason"], "password_changed");

    let mut terminal = s.env.at_terminal("reauth acme-bakery --timeout 30s");
    terminal.wait_for("Renew them too? [Y/n]");
    terminal.type_line("");
    let (status, shown) = terminal.finish();
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains("acme-cafe: connected again as Acme Cafe (facebook): OK"),
        "{shown}"
    );
}

#[test]
fn a_network_without_a_device_endpoint_says_how_to_sign_in_instead() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.env
        .run(&["reauth", "acme", "--device"])
        .code(1)
        .stderr_has(
            "error: acme: x offers no device sign-in (no device authorization endpoint is known)",
        )
        .stderr_has("hint: set device_authorization_url under [providers.x] if it has one");
}
