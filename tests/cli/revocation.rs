//! What a re-authorization does with the tokens it replaces, and what `remove --revoke`
//! may claim, against two real servers whose revocation reaches differently: Django OAuth
//! Toolkit ends only the token it is given (each sign-in stays a grant of its own), and
//! oidc-provider, when every sign-in of an account joins one grant, ends them all.

use crate::support::dot::DotServer;
use crate::support::oidc::add_through_browser as add;
use crate::support::oidc::{
    clear_browser_result, corp_env, refresh_token_works, stored_refresh_token, OidcServer,
};
use crate::support::{Env, Run};

fn reauth(env: &Env, id: &str) -> Run {
    clear_browser_result(env);
    env.run(&["reauth", id, "--timeout", "60s"])
}

fn remove_revoking(env: &Env, id: &str) -> Run {
    env.run(&["profiles", "remove", id, "--revoke", "--yes"])
}

/// Signs `acme` in, then again `reauths` times; the refresh token of each sign-in, in
/// order (the last is the one stored).
fn signed_in_thrice(env: &Env, said: &str) -> Vec<String> {
    add(env, "acme").success();
    let mut tokens = vec![stored_refresh_token(env, "acme")];
    for _ in 0..2 {
        let run = reauth(env, "acme");
        run.success().stderr_has("acme: connected again as ");
        run.stderr_has("(corp): OK");
        if said.is_empty() {
            assert!(!run.stderr.contains("replaced"), "{}", run.snapshot());
        } else {
            run.stderr_has(said);
        }
        tokens.push(stored_refresh_token(env, "acme"));
    }
    tokens
}

#[test]
#[ignore = "needs Python (Django OAuth Toolkit), Node.js and Chromium; scripts/test runs it"]
fn at_a_per_token_server_reauth_revokes_what_it_replaced_and_remove_leaves_no_grant() {
    let server = DotServer::start();
    let env = server.env("revocation = \"token\"\n");
    let tokens = signed_in_thrice(
        &env,
        "acme: the tokens this sign-in replaced were revoked at corp; the new ones work",
    );
    // Renewal at this server too: the refresh token rotates.
    env.run(&["refresh", "acme", "--force"]).success();
    let renewed = stored_refresh_token(&env, "acme");
    assert_ne!(renewed, tokens[2], "the refresh token rotated");
    env.run(&["check", "--online"]).success();
    for (i, rt) in tokens.iter().enumerate() {
        assert!(
            !refresh_token_works(&server.token_url, rt),
            "sign-in {i}'s refresh token is gone (revoked, or rotated)"
        );
    }
    remove_revoking(&env, "acme").success().stderr_has(
        "acme: its tokens were revoked at corp, as were those each re-authorization replaced",
    );
    assert!(
        !refresh_token_works(&server.token_url, &renewed),
        "no grant is left at the server"
    );
}

#[test]
#[ignore = "needs Python (Django OAuth Toolkit), Node.js and Chromium; scripts/test runs it"]
fn where_the_reach_is_unknown_remove_says_earlier_grants_may_live_and_they_do() {
    let server = DotServer::start();
    let env = server.env("");
    let tokens = signed_in_thrice(&env, "");
    remove_revoking(&env, "acme")
        .success()
        .stderr_has("acme: its tokens were revoked at corp; grants from earlier sign-ins, if any, may still be live there");
    assert!(!refresh_token_works(&server.token_url, &tokens[2]));
    assert!(
        refresh_token_works(&server.token_url, &tokens[0]),
        "the first sign-in's grant outlived the revocation, as sbctl warned"
    );
}

fn shared_grant_server() -> OidcServer {
    OidcServer::start_with(&[("SBCTL_TEST_SHARED_GRANT", "1")])
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn at_a_grant_wide_server_reauth_keeps_the_new_grant_and_remove_ends_them_all() {
    let server = shared_grant_server();
    let env = corp_env(&server, "revocation = \"account\"\n");
    let tokens = signed_in_thrice(&env, "");
    env.run(&["check", "--online"]).success();
    remove_revoking(&env, "acme")
        .success()
        .stderr_has("acme: access revoked at corp");
    let token_url = format!("{}/token", server.issuer);
    for (i, rt) in tokens.iter().enumerate() {
        assert!(
            !refresh_token_works(&token_url, rt),
            "sign-in {i}'s tokens ended with the grant"
        );
    }
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_revocation_that_ends_the_new_grant_too_is_caught_and_said() {
    let server = shared_grant_server();
    let env = corp_env(&server, "revocation = \"token\"\n");
    add(&env, "acme").success();
    reauth(&env, "acme")
        .code(3)
        .stderr_has("acme: revoking the tokens this sign-in replaced ended the new grant too")
        .stderr_has("set `revocation = \"account\"` (or \"unknown\") in [providers.corp] and run `sbctl reauth acme` again");
    let profile = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(profile["status"], "reauth_required");
    assert_eq!(profile["reason"], "revoked");
}
