//! A real OAuth server (oidc-provider) and a real browser (chromium via playwright-core)
//! for the end-to-end tests. Both are node programs under tests/support/node; their
//! packages come from `npm ci` there (scripts/test runs it).

use super::Env;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CLIENT_SECRET: &str = "sbctl s3cret+/:&=";

fn node_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/node");
    assert!(
        dir.join("node_modules/oidc-provider").exists() && dir.join("node_modules/playwright-core").exists(),
        "the OAuth server and browser driver are not installed: run `npm ci` in {} (scripts/test does)",
        dir.display()
    );
    dir
}

/// oidc-provider on 127.0.0.1, stopped when dropped.
pub struct OidcServer {
    child: Child,
    pub issuer: String,
}

impl OidcServer {
    pub fn start() -> OidcServer {
        OidcServer::start_with(&[])
    }

    /// Started with these environment variables (see oidc-server.mjs).
    pub fn start_with(vars: &[(&str, &str)]) -> OidcServer {
        let mut command = Command::new("node");
        command
            .arg(node_dir().join("oidc-server.mjs"))
            .envs(vars.iter().copied());
        let (child, ready) = spawn_server(command, "node runs (Node.js 20 or newer)");
        OidcServer {
            child,
            issuer: ready["issuer"].as_str().unwrap().to_owned(),
        }
    }
}

/// Starts a test server that prints a JSON line when it is ready and serves until its
/// stdin closes; returns it and that line.
pub fn spawn_server(mut command: Command, runs: &str) -> (Child, serde_json::Value) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect(runs);
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout
        .read_line(&mut line)
        .expect("the OAuth server starts");
    // Keep reading what it prints: a closed pipe would break its request handling.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let ready =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("OAuth server said {line:?}"));
    (child, ready)
}

/// Whether a refresh token still works at `token_url`, asked directly as client `sbctl`
/// (a rotating server uses it up: ask last).
pub fn refresh_token_works(token_url: &str, refresh_token: &str) -> bool {
    let response = reqwest::blocking::Client::new()
        .post(token_url)
        .basic_auth(
            "sbctl",
            Some(
                oauth2::url::form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes())
                    .collect::<String>(),
            ),
        )
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let body = response.text().unwrap();
    match status {
        200 => true,
        400 if body.contains("invalid_grant") => false,
        _ => panic!("the token endpoint answered {status}: {body}"),
    }
}

/// The refresh token stored for a profile.
pub fn stored_refresh_token(env: &Env, id: &str) -> String {
    stored_tokens(env, id)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

impl Drop for OidcServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sealed environment whose provider `corp` is the OAuth server, with its client
/// secret stored, and whose `$BROWSER` is the browser driver.
pub fn corp_env(server: &OidcServer, extra_config: &str) -> Env {
    env_with_browser(
        &format!(
            "[providers.corp]\nissuer = \"{}\"\nclient_id = \"sbctl\"\nscopes = [\"openid\", \"offline_access\", \"profile\"]\nextra_authorize_params = {{ prompt = \"consent\" }}\n{extra_config}",
            server.issuer
        ),
        CLIENT_SECRET,
    )
}

/// A sealed environment with this config, provider `corp`'s client secret stored, and
/// the browser driver as `$BROWSER`.
pub fn env_with_browser(config: &str, secret: &str) -> Env {
    let mut env = Env::new();
    env.write_config(config);
    env.run_with_stdin(&["providers", "set-secret", "corp"], secret)
        .success();
    let dir = node_dir();
    env.set(
        "BROWSER",
        &format!("node {}", dir.join("browser.mjs").display()),
    );
    env.set(
        "SBCTL_TEST_RESULT",
        env.root().join("browser.json").to_str().unwrap(),
    );
    env
}

/// What the browser driver recorded, once it has finished (it outlives sbctl a little
/// while chromium closes).
pub fn browser_result(env: &Env) -> serde_json::Value {
    let path = env.root().join("browser.json");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                assert!(
                    v.get("error").is_none(),
                    "the browser driver failed: {}",
                    v["error"]
                );
                return v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the browser driver wrote no result"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for the browser driver of the last flow to finish (it outlives sbctl while
/// chromium closes), then forgets its result, before the next flow.
pub fn clear_browser_result(env: &Env) {
    browser_result(env);
    std::fs::remove_file(env.root().join("browser.json")).unwrap();
}

impl OidcServer {
    /// Sets the token endpoint's faults (see oidc-server.mjs).
    pub fn faults(&self, faults: serde_json::Value) {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}/__test/faults", self.issuer))
            .body(faults.to_string())
            .send()
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Revokes a refresh token at the provider's revocation endpoint (RFC 7009), as a
    /// user who removes the app's access would.
    pub fn revoke(&self, client_id: &str, refresh_token: &str) {
        let response = reqwest::blocking::Client::new()
            .post(format!("{}/token/revocation", self.issuer))
            .basic_auth(
                client_id,
                Some(
                    oauth2::url::form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes())
                        .collect::<String>(),
                ),
            )
            .form(&[
                ("token", refresh_token),
                ("token_type_hint", "refresh_token"),
            ])
            .send()
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }
}

/// The tokens stored for a profile in the file store.
pub fn stored_tokens(env: &Env, id: &str) -> serde_json::Value {
    serde_json::from_str(env.secrets()[&format!("profile:{id}")].as_str().unwrap()).unwrap()
}

/// `profiles add <id> --network corp` through the browser driver.
pub fn add_through_browser(env: &Env, id: &str) -> super::Run {
    env.run(&[
        "profiles",
        "add",
        id,
        "--network",
        "corp",
        "--timeout",
        "60s",
    ])
}

/// A person on another device who opens a device sign-in's address (with its code)
/// and approves it, or with `SBCTL_TEST_ACTION=deny` aborts (browser.mjs --device);
/// what the browser driver recorded.
pub fn approve_on_another_device(env: &Env, address: &str) -> serde_json::Value {
    let status = env
        .apply(Command::new("node"))
        .arg(node_dir().join("browser.mjs"))
        .args(["--device", address])
        .status()
        .expect("node runs");
    let result = browser_result(env);
    assert!(status.success(), "the browser driver failed: {result}");
    result
}
