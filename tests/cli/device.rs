//! Device sign-in (RFC 8628): `reauth --device` against the real OAuth server
//! (oidc-provider with its device flow on), approved, denied, expired and slowed down by
//! a person at a real browser on "another device".

use crate::support::oidc::add_through_browser as add;
use crate::support::oidc::{approve_on_another_device, clear_browser_result, corp_env, OidcServer};
use crate::support::Env;
use std::io::{BufRead, BufReader};

/// sbctl waiting for a device sign-in: the address with the code it printed, and what
/// it wrote on stderr.
struct Waiting {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStderr>>,
    address: String,
    shown: Vec<String>,
}

/// `sbctl <args>` started, read until it prints the address that carries the code.
fn device_sign_in(env: &Env, args: &[&str]) -> Waiting {
    let mut child = env.spawn_piped(args);
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (mut shown, mut next_is_it, mut address) = (Vec::new(), false, None);
    while let Some(Ok(line)) = lines.next() {
        shown.push(line.clone());
        if next_is_it && !line.trim().is_empty() {
            address = Some(line.trim().to_owned());
            break;
        }
        next_is_it |= line.contains("which carries the code");
    }
    if address.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "sbctl printed no address with the code:\n{}",
            shown.join("\n")
        );
    }
    Waiting {
        child,
        lines,
        address: address.unwrap_or_default(),
        shown,
    }
}

impl Waiting {
    /// Waits for sbctl to end: its exit code and all it wrote on stderr.
    fn end(mut self) -> (i32, String) {
        self.shown.extend(self.lines.map_while(Result::ok));
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        (code, self.shown.join("\n"))
    }
}

/// A server whose device codes name a 1-second polling interval, and `acme` on it.
fn server_and_profile(vars: &[(&str, &str)]) -> (OidcServer, Env) {
    let mut all = vec![("SBCTL_TEST_DEVICE_INTERVAL", "1")];
    all.extend_from_slice(vars);
    let server = OidcServer::start_with(&all);
    let env = corp_env(&server, "");
    add(&env, "acme").success();
    clear_browser_result(&env);
    (server, env)
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_device_sign_in_approved_elsewhere_replaces_the_tokens() {
    let (_server, env) = server_and_profile(&[]);
    let before = env.run(&["token", "acme"]).stdout;
    let waiting = device_sign_in(&env, &["reauth", "acme", "--device"]);
    let said = waiting.shown.join("\n");
    assert!(
        said.contains("on any device with a browser and enter the code:"),
        "{said}"
    );
    assert!(
        waiting.address.contains("/device?user_code="),
        "{}",
        waiting.address
    );
    let page = approve_on_another_device(&env, &waiting.address);
    assert!(page["final"]["text"]
        .as_str()
        .unwrap()
        .contains("Sign-in Success"));
    let (code, said) = waiting.end();
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("acme: connected again as alice (corp): OK"),
        "{said}"
    );
    let after = env.run(&["token", "acme"]).stdout;
    assert_ne!(before, after);
    // The device flow's refresh token renews.
    env.run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_denied_device_sign_in_changes_nothing() {
    let (_server, mut env) = server_and_profile(&[]);
    let before = env.secrets();
    let waiting = device_sign_in(&env, &["reauth", "acme", "--device"]);
    env.set("SBCTL_TEST_ACTION", "deny");
    approve_on_another_device(&env, &waiting.address);
    let (code, said) = waiting.end();
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("error: acme: corp did not authorize (access_denied"),
        "{said}"
    );
    assert!(said.contains("nothing was changed"), "{said}");
    assert_eq!(env.secrets(), before);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn a_device_code_nobody_enters_expires_and_changes_nothing() {
    let (_server, env) = server_and_profile(&[("SBCTL_TEST_DEVICE_TTL", "3")]);
    let before = env.secrets();
    let started = std::time::Instant::now();
    let waiting = device_sign_in(&env, &["reauth", "acme", "--device"]);
    let (code, said) = waiting.end();
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("expired before anyone approved it"), "{said}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "stops at expires_in"
    );
    assert_eq!(env.secrets(), before);
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn slow_down_makes_it_poll_less_often() {
    let (server, env) = server_and_profile(&[]);
    server.faults(serde_json::json!({"slowDown": 1}));
    let waiting = device_sign_in(&env, &["reauth", "acme", "--device"]);
    approve_on_another_device(&env, &waiting.address);
    let (code, said) = waiting.end();
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("corp asked to be polled less often: every 6 s now"),
        "{said}"
    );
    assert!(
        said.contains("acme: connected again as alice (corp)"),
        "{said}"
    );
}

#[test]
#[ignore = "needs Node.js and Chromium (oidc-provider, playwright-core); scripts/test runs it"]
fn at_a_terminal_the_address_is_also_a_qr_code() {
    let (_server, env) = server_and_profile(&[("SBCTL_TEST_DEVICE_TTL", "2")]);
    let terminal = env.at_terminal("reauth acme --device");
    terminal.wait_for("which carries the code");
    let (status, shown) = terminal.finish();
    assert!(!status.success());
    assert!(
        shown.contains('\u{2580}') || shown.contains('\u{2584}'),
        "{shown}"
    );
    assert!(
        shown.contains("expired before anyone approved it"),
        "{shown}"
    );
}
