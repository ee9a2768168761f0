//! The browser flow end to end: the real binary, a real OAuth server (oidc-provider) and
//! a real headless browser (chromium) that signs in and consents.

use crate::support::oidc::add_through_browser as add;
use crate::support::oidc::{browser_result, clear_browser_result, corp_env, OidcServer};
use crate::support::Env;

/// An environment whose browser driver does `action` (see tests/support/node/browser.mjs).
fn browser_doing(server: &OidcServer, action: &str) -> Env {
    let mut env = corp_env(server, "");
    env.set("SBCTL_TEST_ACTION", action);
    env
}

fn token(env: &Env, id: &str) -> String {
    let run = env.run(&["token", id]);
    run.success();
    run.stdout
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn add_signs_in_and_stores_the_tokens() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    // With its owner and a tag, stored with the row the sign-in makes.
    let args = "profiles add acme --network corp --timeout 60s --owner anna@agency.example --tag client=acme";
    let run = env.run(&args.split(' ').collect::<Vec<_>>());
    run.success()
        .stderr_has("To authorize acme at corp, open this address in a browser:")
        .stderr_has("code_challenge_method=S256")
        .stderr_has("acme: connected as alice (corp): OK");
    assert_eq!(run.stdout, "", "stdout stays clean");
    let page = browser_result(&env);
    assert_eq!(
        page["final"]["text"],
        "sbctl: acme is connected.\n\nYou can close this tab."
    );
    let profile = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(profile["account_id"], "alice");
    assert_eq!(profile["status"], "ok");
    assert_eq!(
        profile["renewable"], true,
        "offline_access gave a refresh token"
    );
    assert_eq!(profile["connected_by"], "tester@testhost");
    assert_eq!(profile["owner"], "anna@agency.example");
    assert_eq!(profile["tags"], serde_json::json!({"client": "acme"}));
    assert_eq!(
        profile["scopes"],
        serde_json::json!(["openid", "offline_access", "profile"])
    );
    assert!(profile["expires_at"].is_string());
    let stored: serde_json::Value =
        serde_json::from_str(env.secrets()["profile:acme"].as_str().unwrap()).unwrap();
    assert!(stored["refresh_token"].is_string());
    assert_eq!(
        token(&env, "acme"),
        format!("{}\n", stored["access_token"].as_str().unwrap())
    );
    // Nothing secret in what sbctl printed: the code and tokens stay out of the terminal.
    for secret in [
        stored["access_token"].as_str().unwrap(),
        stored["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!run.stderr.contains(secret));
    }
    let code = page["final"]["url"]
        .as_str()
        .unwrap()
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !run.stderr.contains(&code),
        "the authorization code is not printed"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn reauth_replaces_the_tokens_of_the_same_account() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    add(&env, "acme").success();
    let before = token(&env, "acme");
    env.sql(
        "UPDATE profiles SET reauth_reason = 'revoked', last_error = 'revoked' WHERE id = 'acme'",
    );
    clear_browser_result(&env);
    env.run(&["reauth", "acme", "--timeout", "60s"])
        .success()
        .stderr_has("acme: connected again as alice (corp): OK");
    assert_eq!(
        browser_result(&env)["final"]["text"],
        "sbctl: acme is connected again.\n\nYou can close this tab."
    );
    let after = token(&env, "acme");
    assert_ne!(before, after, "new tokens");
    let profile = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(profile["status"], "ok");
    assert_eq!(profile["last_error"], serde_json::Value::Null);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_different_account_on_reauth_changes_nothing() {
    let server = OidcServer::start();
    let mut env = corp_env(&server, "");
    add(&env, "acme").success();
    let before = token(&env, "acme");
    let secrets_before = env.secrets();
    env.set("SBCTL_TEST_LOGIN", "mallory");
    clear_browser_result(&env);
    env.run(&["reauth", "acme", "--timeout", "60s"])
        .code(1)
        .stderr_has("error: acme: signed in as account `mallory`, but acme is account `alice`; nothing was changed")
        // The refused grant does not stay live at the provider (RFC 7009).
        .stderr_has("the tokens it issued were revoked at corp")
        .stderr_has("--allow-account-change");
    assert!(browser_result(&env)["final"]["text"]
        .as_str()
        .unwrap()
        .contains("acme was not connected"));
    assert_eq!(token(&env, "acme"), before, "the old token still works");
    assert_eq!(env.secrets(), secrets_before);
    clear_browser_result(&env);
    env.run(&[
        "reauth",
        "acme",
        "--allow-account-change",
        "--timeout",
        "60s",
    ])
    .success()
    .stderr_has("connected again as mallory");
    let profile = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(profile["account_id"], "mallory");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn denied_consent_changes_nothing() {
    let server = OidcServer::start();
    let mut env = corp_env(&server, "");
    add(&env, "acme").success();
    let secrets_before = env.secrets();
    let profile_before = env.run(&["profiles", "show", "acme", "--json"]).json();
    env.set("SBCTL_TEST_ACTION", "deny");
    clear_browser_result(&env);
    env.run(&["reauth", "acme", "--timeout", "60s"])
        .code(1)
        .stderr_has("error: acme: corp did not authorize (access_denied: End-User aborted interaction); nothing was changed");
    assert!(browser_result(&env)["final"]["text"]
        .as_str()
        .unwrap()
        .contains("acme was not connected"));
    assert_eq!(env.secrets(), secrets_before);
    assert_eq!(
        env.run(&["profiles", "show", "acme", "--json"]).json(),
        profile_before
    );
    // A denied add leaves no profile at all.
    clear_browser_result(&env);
    add(&env, "other").code(1);
    browser_result(&env);
    env.run(&["profiles", "show", "other"]).code(2);
    assert_eq!(env.secrets(), secrets_before);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_user_who_never_finishes_is_given_up_on() {
    let server = OidcServer::start();
    let mut env = corp_env(&server, "");
    env.set("BROWSER", "true");
    let started = std::time::Instant::now();
    env.run(&[
        "profiles",
        "add",
        "acme",
        "--network",
        "corp",
        "--timeout",
        "2s",
    ])
    .code(1)
    .stderr_has("error: acme: no answer from the browser within 2s; nothing was changed");
    let took = started.elapsed();
    assert!(
        took >= std::time::Duration::from_secs(2) && took < std::time::Duration::from_secs(10),
        "{took:?}"
    );
    env.run(&["profiles", "show", "acme"]).code(2);
    assert!(!env.secrets().contains_key("profile:acme"));
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_forged_callback_is_turned_away_and_the_flow_goes_on() {
    let server = OidcServer::start();
    let env = browser_doing(&server, "forge");
    add(&env, "acme")
        .success()
        .stderr_has("ignored a callback that did not carry this sign-in's state");
    let result = browser_result(&env);
    assert_eq!(result["forged"]["status"], 400);
    assert!(result["forged"]["body"]
        .as_str()
        .unwrap()
        .contains("not for the sign-in that is waiting"));
    assert_eq!(
        result["final"]["text"],
        "sbctl: acme is connected.\n\nYou can close this tab."
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn provider_errors_are_escaped_on_the_page() {
    let server = OidcServer::start();
    let env = browser_doing(&server, "evil");
    let run = add(&env, "acme");
    run.code(1)
        .stderr_has("corp did not authorize (access_denied: <script>");
    let result = browser_result(&env);
    let body = result["evil"]["body"].as_str().unwrap();
    assert_eq!(result["evil"]["status"], 400);
    assert!(
        body.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>"), "{body}");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn fewer_scopes_granted_keeps_the_tokens_but_needs_reauth() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    // The server does not offer posts:write, so it grants less than sbctl asks for.
    let config = std::fs::read_to_string(env.config_path()).unwrap().replace(
        "scopes = [\"openid\", \"offline_access\", \"profile\"]",
        "scopes = [\"openid\", \"offline_access\", \"posts:read\", \"posts:write\"]",
    );
    env.write_config(&config);
    add(&env, "acme")
        .code(3)
        .stderr_has("corp granted fewer scopes than asked for; missing: posts:write");
    let page = browser_result(&env);
    assert!(page["final"]["text"]
        .as_str()
        .unwrap()
        .contains("Missing: posts:write"));
    let profile = env.run(&["profiles", "show", "acme", "--json"]).json();
    assert_eq!(profile["status"], "reauth_required");
    assert_eq!(profile["reason"], "scope_missing");
    assert!(
        env.secrets().contains_key("profile:acme"),
        "the tokens are kept"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn the_listener_root_gives_the_sign_in_away_to_nobody() {
    let server = OidcServer::start();
    let env = browser_doing(&server, "root");
    add(&env, "acme").success();
    let result = browser_result(&env);
    // Any local user can ask the listener: it names neither the provider nor the state.
    assert_eq!(result["root"]["status"], 404, "{result}");
    assert_eq!(
        result["root"]["location"],
        serde_json::Value::Null,
        "{result}"
    );
    let state = oauth2::url::Url::parse(result["url"].as_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let body = result["root"]["body"].as_str().unwrap();
    assert!(
        !body.contains(&state) && !body.contains(&server.issuer),
        "{body}"
    );
    // The browser was given a private page, which forwarded it to the provider, and
    // the page went with the sign-in.
    let opened = result["opened"].as_str().unwrap();
    assert!(opened.starts_with("file:///"), "{opened}");
    assert!(!opened.contains(&state), "{opened}");
    assert!(
        !std::path::Path::new(opened.trim_start_matches("file://")).exists(),
        "{opened} outlived the sign-in"
    );
    assert!(
        result["steps"][0]
            .as_str()
            .unwrap()
            .starts_with("opened /interaction/"),
        "{result}"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn an_issuer_with_explicit_endpoints_still_verifies_the_id_token() {
    // Both endpoints written in the config, as the README allows: the key set that
    // checks the ID token's signature still comes from the issuer's discovery.
    let server = OidcServer::start();
    let env = corp_env(
        &server,
        &format!(
            "authorize_url = \"{i}/auth\"\ntoken_url = \"{i}/token\"\n",
            i = server.issuer
        ),
    );
    add(&env, "acme")
        .success()
        .stderr_has("acme: connected as alice (corp): OK");
    browser_result(&env);
    assert_eq!(
        env.run(&["profiles", "show", "acme", "--json"]).json()["account_id"],
        "alice"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn every_client_authentication_method_works() {
    let server = OidcServer::start();
    for (client_id, auth) in [("sbctl-post", "post"), ("sbctl-public", "none")] {
        let env = corp_env(&server, "");
        let config = std::fs::read_to_string(env.config_path()).unwrap().replace(
            "client_id = \"sbctl\"",
            &format!("client_id = \"{client_id}\"\nclient_auth = \"{auth}\""),
        );
        env.write_config(&config);
        add(&env, "acme").success();
        browser_result(&env);
    }
    // The environment's client secret wins over the stored one.
    let mut env = corp_env(&server, "");
    env.run_with_stdin(&["providers", "set-secret", "corp"], "stale")
        .success();
    env.set(
        "SBCTL_CLIENT_SECRET_CORP",
        crate::support::oidc::CLIENT_SECRET,
    );
    add(&env, "acme").success();
    browser_result(&env);
}

/// Starts `profiles add` with --no-browser in the background and returns it with the
/// listener's port, read from the address sbctl prints.
fn start_waiting(env: &Env) -> (std::process::Child, u16) {
    use std::io::{BufRead, BufReader};
    let mut child = env
        .std_command(&[
            "profiles",
            "add",
            "acme",
            "--network",
            "corp",
            "--no-browser",
            "--timeout",
            "30s",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(at) = line.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A") {
            let rest = &line[at + "redirect_uri=http%3A%2F%2F127.0.0.1%3A".len()..];
            let port = rest.split('%').next().unwrap().parse().unwrap();
            // Keep reading, as a terminal would.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return (child, port);
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("sbctl printed no authorize URL");
}

fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn the_listener_is_on_loopback_only_and_answers_nothing_else() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    let (mut child, port) = start_waiting(&env);
    let local = format!("127.0.0.1:{port}");
    // Its root tells nothing of the sign-in (it once redirected to the authorize URL,
    // handing its state to any local user).
    let root = http_get(&local, "/").unwrap();
    assert!(root.starts_with("HTTP/1.1 404"), "{root}");
    assert!(
        !root.contains("Location") && !root.contains("state") && !root.contains(&server.issuer),
        "{root}"
    );
    assert!(http_get(&local, "/favicon.ico")
        .unwrap()
        .starts_with("HTTP/1.1 404"));
    let malformed = http_get(&local, "/callback?code=a&code=b&state=x").unwrap();
    assert!(malformed.starts_with("HTTP/1.1 400"), "{malformed}");
    // Another address of this machine (still loopback, so no traffic leaves it) finds
    // nothing: the socket is bound to 127.0.0.1, not to every address.
    assert!(
        http_get(&format!("127.0.0.2:{port}"), "/").is_err(),
        "reachable beyond 127.0.0.1"
    );
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let listening: Vec<&str> = tcp
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1].ends_with(&format!(":{port:04X}")) && f[3] == "0A"
        })
        .collect();
    assert_eq!(listening.len(), 1, "{listening:?}");
    assert!(
        listening[0]
            .split_whitespace()
            .nth(1)
            .unwrap()
            .starts_with("0100007F:"),
        "{listening:?}"
    );
    assert!(!std::fs::read_to_string("/proc/net/tcp6")
        .unwrap_or_default()
        .contains(&format!(":{port:04X} 0000")));
    // Still waiting for its real callback through all of that.
    assert!(child.try_wait().unwrap().is_none());
    child.kill().unwrap();
    child.wait().unwrap();
    env.run(&["profiles", "show", "acme"]).code(2);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_port_in_use_is_a_clear_error() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    env.run(&[
        "profiles",
        "add",
        "acme",
        "--network",
        "corp",
        "--port",
        &port,
    ])
    .code(1)
    .stderr_has(&format!(
        "error: acme: port {port} is already in use on 127.0.0.1"
    ))
    .stderr_has("pass --port with another port");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn provider_configuration_mistakes_are_named() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    env.write_config("[providers.corp]\nclient_id = \"sbctl\"\n");
    env.run(&["profiles", "add", "acme", "--network", "corp"])
        .code(1)
        .stderr_has(
            "provider corp has no endpoints: set `issuer`, or `authorize_url` and `token_url`",
        );
    env.write_config(&format!(
        "[providers.corp]\nissuer = \"{}\"\n",
        server.issuer
    ));
    env.run(&["profiles", "add", "acme", "--network", "corp"])
        .code(1)
        .stderr_has("provider corp has no client_id\nhint: set client_id under [providers.corp]");
    env.write_config("[providers.corp]\nissuer = \"http://id.example.com\"\nclient_id = \"c\"\n");
    env.run(&["profiles", "add", "acme", "--network", "corp"])
        .code(1)
        .stderr_has("must use https");
    env.write_config(&format!(
        "[providers.other]\nissuer = \"{}\"\nclient_id = \"sbctl\"\n",
        server.issuer
    ));
    env.run(&["profiles", "add", "acme", "--network", "other"])
        .code(1)
        .stderr_has(
            "provider other has no client secret\nhint: run `sbctl providers set-secret other`",
        );
    env.run(&["profiles", "add", "acme", "--network", "facebook"])
        .code(1)
        .stderr_has(
            "provider facebook has no client_id\nhint: set client_id under [providers.facebook]",
        );
    env.run(&["profiles", "list", "--json"]).stdout_has("[]");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_pasted_address_completes_the_flow_from_a_terminal() {
    use std::io::Write;
    let server = OidcServer::start();
    let mut env = corp_env(&server, "");
    // The browser signs in but never reaches the listener, as on another machine.
    env.set("SBCTL_TEST_ACTION", "capture");
    // `script` gives sbctl a terminal for its stdin, so that it offers to take a paste.
    let mut child = env.spawn_at_terminal("profiles add acme --network corp --timeout 60s");
    let captured = browser_result(&env)["captured"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "this is not it").unwrap();
    writeln!(stdin, "{captured}").unwrap();
    let out = child.wait_with_output().unwrap();
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{terminal}");
    assert!(
        terminal.contains("paste the address it ends up on here"),
        "{terminal}"
    );
    assert!(
        terminal.contains("that is not the address the browser was sent back to"),
        "{terminal}"
    );
    assert!(
        terminal.contains("acme: connected as alice (corp): OK"),
        "{terminal}"
    );
    assert_eq!(
        env.run(&["profiles", "show", "acme", "--json"]).json()["account_id"],
        "alice"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn authorize_on_one_machine_reauth_on_another() {
    let server = OidcServer::start();
    let env = corp_env(&server, "");
    add(&env, "acme").success();
    clear_browser_result(&env);
    let recipient = env.run(&["secrets", "recipient"]).stdout;
    // The laptop has the config and the client secret in its environment, nothing else.
    let mut laptop = env.elsewhere();
    laptop.set(
        "SBCTL_CLIENT_SECRET_CORP",
        crate::support::oidc::CLIENT_SECRET,
    );
    let run = laptop.run(&[
        "authorize",
        "corp",
        "--to",
        recipient.trim(),
        "--timeout",
        "60s",
    ]);
    run.success()
        .stderr_has("To authorize sbctl at corp, open this address in a browser:");
    assert!(run.stdout.starts_with("sbctl-sealed:"), "{}", run.stdout);
    assert!(!laptop.db_path().exists(), "the laptop keeps nothing");
    browser_result(&laptop);
    let before = token(&env, "acme");
    env.run_with_stdin(&["reauth", "acme", "--with-token"], &run.stdout)
        .success()
        .stderr_has("acme: connected again as alice (corp): OK");
    let after = token(&env, "acme");
    assert_ne!(before, after);
    // The carried refresh token works at the server.
    env.run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
}
