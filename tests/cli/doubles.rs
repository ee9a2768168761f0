//! The doubles refuse what the networks refuse. Each test breaks one of a network's
//! rules on sbctl's behalf and expects the sign-in to fail: a double that stopped
//! checking (a removed PKCE check, a code accepted twice, any scope name taken) turns
//! its test red, instead of letting every other test pass against a network more
//! lenient than the real one.

use crate::support::doubles::{scene, scene_through_proxy, Scene};
use crate::support::proxy::Trouble;
use serde_json::{json, Value};

/// Every double: the built-in networks (Instagram both ways) and a custom provider.
const NETWORKS: [&str; 10] = [
    "x",
    "linkedin",
    "youtube",
    "tiktok",
    "pinterest",
    "facebook",
    "instagram",
    "instagram-fb",
    "threads",
    "identityserver",
];

/// The networks whose sign-in sbctl sends PKCE to.
const WITH_PKCE: [&str; 5] = ["x", "linkedin", "youtube", "tiktok", "identityserver"];

/// What one sign-in reaches: a Page (with its Instagram account) or a channel where
/// the network signs in to those.
fn accounts(network: &str) -> Vec<Value> {
    match network {
        "facebook" | "instagram-fb" => crate::support::doubles::facebook::pages(&[(
            "p-1",
            "Acme Bakery",
            Some(("ig-1", "acme.bakes")),
        )]),
        "youtube" => vec![json!({"id": "UC-ann", "name": "Ann Cooks"})],
        _ => Vec::new(),
    }
}

/// The name sbctl knows the scene's network by (its `[providers.NAME]`).
fn provider(network: &str) -> &str {
    if network == "instagram-fb" {
        "instagram"
    } else {
        network
    }
}

/// `profiles add acme` at the scene's network, with the account to pick.
fn add(s: &Scene, network: &str) -> crate::support::Run {
    let account = match network {
        "facebook" => "p-1",
        "instagram-fb" => "ig-1",
        "youtube" => "UC-ann",
        _ => "",
    };
    let mut more = Vec::new();
    if !account.is_empty() {
        more.extend(["--account", account]);
    }
    s.add("acme", provider(network), &more)
}

/// The refused sign-in changed nothing: no profile, no token.
fn nothing_stored(s: &Scene, what: &str) {
    let list = s.env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(list, json!([]), "{what}: a profile was stored");
    assert!(
        !s.env.secrets().contains_key("profile:acme"),
        "{what}: a token was stored"
    );
}

#[test]
fn every_double_takes_an_honest_sign_in() {
    // The control for the tests below: the same sign-in, nothing broken, connects.
    for network in NETWORKS {
        let s = scene(network, accounts(network));
        let run = add(&s, network);
        assert_eq!(run.code, 0, "{network}:\n{}", run.snapshot());
    }
}

#[test]
fn every_double_refuses_a_verifier_that_does_not_match_the_challenge() {
    for network in WITH_PKCE {
        let mut s = scene(network, accounts(network));
        let browser = format!("{} --tamper-challenge", crate::support::follow_page());
        s.env.set("BROWSER", &browser);
        let run = add(&s, network);
        assert_eq!(run.code, 1, "{network}:\n{}", run.snapshot());
        assert!(
            run.stderr.contains("code_verifier does not match"),
            "{network}:\n{}",
            run.snapshot()
        );
        nothing_stored(&s, network);
    }
}

#[test]
fn every_double_takes_a_code_once() {
    for network in NETWORKS {
        let s = scene_through_proxy(network, accounts(network));
        // The code exchange reaches the network twice; sbctl sees the second answer.
        let token_path = token_path(&s);
        s.proxy
            .as_ref()
            .unwrap()
            .push(&token_path, Trouble::Replay, 1);
        let run = add(&s, network);
        assert_eq!(run.code, 1, "{network}:\n{}", run.snapshot());
        nothing_stored(&s, network);
        let used = s.double.state().codes.values().filter(|c| c.used).count();
        assert_eq!(used, 1, "{network}: one code, used once");
    }
}

#[test]
fn every_double_refuses_a_scope_it_does_not_know() {
    for network in NETWORKS {
        let s = scene(network, accounts(network));
        let config = std::fs::read_to_string(s.env.config_path()).unwrap();
        let section = format!("[providers.{}]\n", provider(network));
        s.env.write_config(&config.replace(
            &section,
            &format!("{section}scopes = [\"misspelt.scope\"]\n"),
        ));
        let run = add(&s, network);
        assert_eq!(run.code, 1, "{network}:\n{}", run.snapshot());
        assert!(
            run.stderr.contains("invalid_scope"),
            "{network}:\n{}",
            run.snapshot()
        );
        nothing_stored(&s, network);
    }
}

/// The path of the scene's token endpoint, from its config.
fn token_path(s: &Scene) -> String {
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    let url = config
        .lines()
        .find_map(|l| l.strip_prefix("token_url = \""))
        .expect("a token_url")
        .trim_end_matches('"')
        .to_owned();
    let after_host = url.splitn(4, '/').nth(3).unwrap_or_default();
    format!("/{after_host}")
}
