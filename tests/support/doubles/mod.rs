//! Test doubles of the eight networks: HTTP servers on 127.0.0.1, written from each
//! network's developer documentation (the shapes of its requests, answers and error
//! bodies), that check what the network checks (client credentials, redirect URI
//! equality, PKCE, single-use codes and refresh tokens, token age) so that a wrong
//! request fails a test as it would fail in production.
//!
//! This file is the part they share: the server, a user who signs in, codes, access
//! and refresh tokens with their lifetimes, injected faults, and a log of calls. Each
//! network's file answers its own paths in its own words.

pub mod facebook;
pub mod meta_login;
pub mod oauth;

use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::io::Read as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// One request, as a handler sees it.
pub struct Req {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
    pub authorization: Option<String>,
}

impl Req {
    /// A query or form parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    pub fn bearer(&self) -> Option<&str> {
        self.authorization.as_deref()?.strip_prefix("Bearer ")
    }

    /// The id and secret of HTTP Basic client authentication (RFC 6749 §2.3.1).
    pub fn basic(&self) -> Option<(String, String)> {
        let encoded = self.authorization.as_deref()?.strip_prefix("Basic ")?;
        let text = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?,
        )
        .ok()?;
        let (id, secret) = text.split_once(':')?;
        let decode = |s: &str| {
            oauth2::url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((decode(id)?, decode(secret)?))
    }
}

/// An answer.
pub struct Resp {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

pub fn json_resp(status: u16, value: Value) -> Resp {
    Resp {
        status,
        body: value.to_string(),
        headers: vec![("Content-Type".into(), "application/json".into())],
    }
}

pub fn redirect(location: String) -> Resp {
    Resp {
        status: 302,
        body: String::new(),
        headers: vec![("Location".into(), location)],
    }
}

/// Why a token no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dead {
    Revoked,
    PasswordChanged,
    Expired,
    /// A refresh token already exchanged (single-use networks).
    Used,
}

#[derive(Debug, Clone)]
pub struct Tok {
    pub user: String,
    /// The Page, channel or business account the token is for, when not the user.
    pub account: Option<String>,
    pub kind: &'static str,
    pub issued: i64,
    pub expires: Option<i64>,
    pub scopes: Vec<String>,
    pub dead: Option<Dead>,
}

#[derive(Debug, Clone)]
pub struct Code {
    pub user: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: Option<String>,
    pub issued: i64,
    pub used: bool,
    /// Extra authorize parameters (Google's access_type).
    pub extra: BTreeMap<String, String>,
}

/// A user who can sign in, and the accounts (Pages, channels) they reach.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    /// A handle the user may change (Pinterest's `username`); else `name` in lower case.
    pub username: Option<String>,
    pub accounts: Vec<Value>,
    /// When the user was last active in the app (Facebook's data access runs 90 days
    /// from then).
    pub active: i64,
}

/// An answer given instead of the real one, to the next request whose path has `path`.
pub struct Fault {
    pub path: String,
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

pub struct State {
    pub client_id: String,
    pub client_secret: String,
    /// Registered redirect URIs, compared exactly.
    pub redirect_uris: Vec<String>,
    /// Or: any port of 127.0.0.1 with this path (LinkedIn, Google, TikTok desktop).
    pub any_loopback_port: Option<String>,
    /// Who signs in at the next authorize request.
    pub signed_in: String,
    pub users: BTreeMap<String, User>,
    /// Scopes the user unticks on the consent screen.
    pub withheld: Vec<String>,
    /// Scopes declined before, which Facebook's dialog leaves out unless asked with
    /// `auth_type=rerequest`.
    pub declined: Vec<String>,
    /// Facebook Pages the user leaves out in the dialog's Page picker.
    pub unselected: Vec<String>,
    /// The user presses "Cancel".
    pub deny: bool,
    pub codes: BTreeMap<String, Code>,
    pub tokens: BTreeMap<String, Tok>,
    pub faults: VecDeque<Fault>,
    /// "METHOD /path" of every request, in order.
    pub calls: Vec<String>,
    /// Seconds added to the clock (tokens age without waiting).
    pub clock: i64,
    /// Refresh tokens presented again after they were used (single-use networks).
    pub reused: usize,
    /// A rotating provider with a grace period: a used refresh token presented again
    /// is answered again, and what the first use gave is revoked (tests set it).
    pub reuse_grace: bool,
    /// The double's own address, as an OpenID Connect issuer.
    pub issuer: String,
    /// The scope names the network knows (`Network::scopes`).
    known_scopes: &'static [&'static str],
    seq: u64,
}

impl State {
    pub fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + self.clock
    }

    pub fn mint(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}{}{:08x}", self.seq, rand::random::<u32>())
    }

    pub fn issue(
        &mut self,
        prefix: &str,
        kind: &'static str,
        user: &str,
        account: Option<String>,
        ttl: Option<i64>,
        scopes: &[String],
    ) -> String {
        let token = self.mint(prefix);
        let now = self.now();
        self.tokens.insert(
            token.clone(),
            Tok {
                user: user.into(),
                account,
                kind,
                issued: now,
                expires: ttl.map(|t| now + t),
                scopes: scopes.to_vec(),
                dead: None,
            },
        );
        token
    }

    /// A live token of one of `kinds`, or why not.
    pub fn live(&self, token: Option<&str>, kinds: &[&str]) -> Result<Tok, Dead> {
        let t = token
            .and_then(|t| self.tokens.get(t))
            .filter(|t| kinds.contains(&t.kind))
            .ok_or(Dead::Revoked)?;
        if let Some(d) = t.dead {
            return Err(d);
        }
        if t.expires.is_some_and(|e| e <= self.now()) {
            return Err(Dead::Expired);
        }
        Ok(t.clone())
    }

    /// Marks every token of `user` dead, as the network does when the user revokes
    /// the app or changes the password.
    pub fn kill_user(&mut self, user: &str, why: Dead) {
        for t in self.tokens.values_mut().filter(|t| t.user == user) {
            t.dead = Some(why);
        }
    }

    pub fn redirect_allowed(&self, uri: &str) -> bool {
        if self.redirect_uris.iter().any(|r| r == uri) {
            return true;
        }
        let Some(path) = &self.any_loopback_port else {
            return false;
        };
        uri.strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(port, p)| port.parse::<u16>().is_ok() && format!("/{p}") == *path)
    }

    /// The authorize endpoint: checks the client and the redirect URI, then (the user
    /// having signed in and consented) redirects back with a code, or an error.
    pub fn authorize(
        &mut self,
        r: &Req,
        client_param: &str,
        separator: char,
        pkce_required: bool,
    ) -> Resp {
        if r.get(client_param) != Some(self.client_id.as_str()) {
            return json_resp(
                400,
                json!({"error": "invalid_client", "error_description": "unknown client"}),
            );
        }
        let Some(uri) = r
            .get("redirect_uri")
            .filter(|u| self.redirect_allowed(u))
            .map(str::to_owned)
        else {
            // Networks show an error page and never redirect to an unregistered URI.
            return json_resp(
                400,
                json!({"error": "invalid_request", "error_description": "redirect_uri is not registered for this app"}),
            );
        };
        let state = r.get("state").unwrap_or_default().to_owned();
        let back = |params: &[(&str, &str)]| {
            let q = oauth2::url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            redirect(format!(
                "{uri}{}{q}",
                if uri.contains('?') { '&' } else { '?' }
            ))
        };
        if r.get("response_type") != Some("code") {
            return back(&[("error", "unsupported_response_type"), ("state", &state)]);
        }
        let challenge = r.get("code_challenge").map(str::to_owned);
        if pkce_required && (challenge.is_none() || r.get("code_challenge_method") != Some("S256"))
        {
            return back(&[
                ("error", "invalid_request"),
                ("error_description", "PKCE S256 is required"),
                ("state", &state),
            ]);
        }
        if self.deny {
            return back(&[
                ("error", "access_denied"),
                ("error_description", "The user denied the request"),
                ("state", &state),
            ]);
        }
        let asked: Vec<&str> = r
            .get("scope")
            .unwrap_or_default()
            .split(separator)
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(unknown) = asked.iter().find(|a| !self.known_scopes.contains(a)) {
            // RFC 6749 §4.1.2.1: "invalid_scope: The requested scope is invalid,
            // unknown, or malformed."
            return back(&[
                ("error", "invalid_scope"),
                ("error_description", &format!("unknown scope: {unknown}")),
                ("state", &state),
            ]);
        }
        let scopes: Vec<String> = asked
            .into_iter()
            .filter(|s| !self.withheld.iter().any(|w| w == s))
            .map(str::to_owned)
            .collect();
        let code = self.mint("code-");
        let extra = r
            .params
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "access_type" | "prompt" | "nonce"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.codes.insert(
            code.clone(),
            Code {
                user: self.signed_in.clone(),
                redirect_uri: uri.clone(),
                scopes,
                challenge,
                issued: self.now(),
                used: false,
                extra,
            },
        );
        back(&[("code", &code), ("state", &state)])
    }

    /// Redeems a code: once, with the same redirect URI, within `max_age` seconds, and
    /// with the PKCE verifier when a challenge was given (`hex`: TikTok's encoding).
    pub fn redeem(&mut self, r: &Req, max_age: i64, hex: bool) -> Result<Code, &'static str> {
        let now = self.now();
        let code = r
            .get("code")
            .and_then(|c| self.codes.get_mut(c))
            .ok_or("the code is not valid")?;
        if code.used {
            return Err("the code was already used");
        }
        code.used = true;
        if now - code.issued > max_age {
            return Err("the code expired");
        }
        if r.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
            return Err("redirect_uri does not match the authorization request");
        }
        if let Some(challenge) = &code.challenge {
            use sha2::Digest;
            let verifier = r.get("code_verifier").ok_or("code_verifier is missing")?;
            let digest = sha2::Sha256::digest(verifier.as_bytes());
            let expected = if hex {
                digest
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            } else {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
            };
            if &expected != challenge {
                return Err("code_verifier does not match the code_challenge");
            }
        }
        Ok(code.clone())
    }

    /// The client authenticated in the form (`id_param` + `client_secret`).
    pub fn form_client(&self, r: &Req, id_param: &str) -> bool {
        r.get(id_param) == Some(self.client_id.as_str())
            && r.get("client_secret") == Some(self.client_secret.as_str())
    }

    /// The client authenticated with HTTP Basic.
    pub fn basic_client(&self, r: &Req) -> bool {
        r.basic() == Some((self.client_id.clone(), self.client_secret.clone()))
    }
}

/// A network's answers.
pub trait Network: Send + 'static {
    fn handle(&self, s: &mut State, r: &Req) -> Resp;
    /// Every scope name the network's documentation lists: the authorize endpoint
    /// refuses any other, as the networks do, so that a misspelt default fails.
    fn scopes(&self) -> &'static [&'static str];
}

/// A running double.
pub struct Double {
    pub base: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Double {
    pub fn start(network: impl Network, client_id: &str, client_secret: &str) -> Double {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let port = server.server_addr().to_ip().unwrap().port();
        let mut users = BTreeMap::new();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        users.insert(
            "u-ann".to_owned(),
            User {
                name: "Ann".into(),
                username: None,
                accounts: Vec::new(),
                active: now,
            },
        );
        let state = Arc::new(Mutex::new(State {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris: Vec::new(),
            any_loopback_port: None,
            signed_in: "u-ann".into(),
            users,
            withheld: Vec::new(),
            declined: Vec::new(),
            unselected: Vec::new(),
            deny: false,
            codes: BTreeMap::new(),
            tokens: BTreeMap::new(),
            faults: VecDeque::new(),
            calls: Vec::new(),
            clock: 0,
            reused: 0,
            reuse_grace: false,
            issuer: format!("http://127.0.0.1:{port}"),
            known_scopes: network.scopes(),
            seq: 0,
        }));
        let thread = {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    serve(&network, &state, request);
                }
            })
        };
        Double {
            base: format!("http://127.0.0.1:{port}"),
            state,
            server,
            thread: Some(thread),
        }
    }

    /// The double's state, to arrange a scene or to look at what happened.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// The next request to a path containing `path` gets this answer instead.
    pub fn fault(&self, path: &str, status: u16, body: &str, retry_after: Option<&str>) {
        self.state().faults.push_back(Fault {
            path: path.into(),
            status,
            body: body.into(),
            retry_after: retry_after.map(str::to_owned),
        });
    }

    /// How many requests went to paths containing `path`.
    pub fn calls(&self, path: &str) -> usize {
        self.state()
            .calls
            .iter()
            .filter(|c| c.contains(path))
            .count()
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(network: &dyn Network, state: &Mutex<State>, mut request: tiny_http::Request) {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let mut params: BTreeMap<String, String> =
        oauth2::url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    let mut body = Vec::new();
    let _ = std::io::Read::read_to_end(&mut request.as_reader().take(1 << 20), &mut body);
    let is_form = request.headers().iter().any(|h| {
        h.field.equiv("Content-Type")
            && h.value
                .as_str()
                .starts_with("application/x-www-form-urlencoded")
    });
    if is_form {
        params.extend(oauth2::url::form_urlencoded::parse(&body).into_owned());
    }
    let req = Req {
        method: request.method().as_str().to_owned(),
        path: path.to_owned(),
        params,
        authorization: request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.as_str().to_owned()),
    };
    let resp = {
        let mut s = state.lock().unwrap();
        s.calls.push(format!("{} {}", req.method, req.path));
        match s.faults.iter().position(|f| req.path.contains(&f.path)) {
            Some(i) => {
                let f = s.faults.remove(i).unwrap();
                let mut resp = Resp {
                    status: f.status,
                    body: f.body,
                    headers: Vec::new(),
                };
                if let Some(r) = f.retry_after {
                    resp.headers.push(("Retry-After".into(), r));
                }
                resp
            }
            None => network.handle(&mut s, &req),
        }
    };
    let mut response = tiny_http::Response::from_string(resp.body).with_status_code(resp.status);
    for (k, v) in resp.headers {
        response.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
    }
    let _ = request.respond(response);
}

/// A network's double, and an environment whose config points sbctl at it.
pub struct Scene {
    pub double: Double,
    pub env: super::Env,
    /// The fault proxy every request goes through, when the scene has one.
    pub proxy: Option<super::proxy::Proxy>,
}

/// Starts the double of `network` (`instagram-fb`: Instagram through Facebook Login)
/// with one user, Ann, who reaches `accounts`, and configures sbctl for it: endpoints,
/// client id, the client secret in the environment, and a browser (`follow-page`,
/// curl) that follows the authorize URL as a signed-in user who consents would.
pub fn scene(network: &str, accounts: Vec<Value>) -> Scene {
    scene_with(network, accounts, false)
}

/// The same, with a fault proxy between sbctl and the double.
pub fn scene_through_proxy(network: &str, accounts: Vec<Value>) -> Scene {
    scene_with(network, accounts, true)
}

fn scene_with(network: &str, accounts: Vec<Value>, proxied: bool) -> Scene {
    let (double, name, endpoints, exact): (Double, &str, String, bool) = match network {
        "facebook" | "instagram-fb" => {
            let d = Double::start(facebook::Facebook, "app-fb", "fb-secret");
            let b = format!("{}/v21.0", d.base);
            let name = if network == "facebook" {
                "facebook"
            } else {
                "instagram"
            };
            let login = if network == "facebook" {
                ""
            } else {
                "login = \"facebook\"\n"
            };
            (d, name, format!("{login}authorize_url = \"{b}/dialog/oauth\"\ntoken_url = \"{b}/oauth/access_token\"\napi_base = \"{b}\"\n"), true)
        }
        "instagram" | "threads" => {
            let login = if network == "instagram" {
                meta_login::INSTAGRAM
            } else {
                meta_login::THREADS
            };
            let d = Double::start(login, "app-meta", "meta-secret");
            let b = d.base.clone();
            (d, network, format!("authorize_url = \"{b}/oauth/authorize\"\ntoken_url = \"{b}/oauth/access_token\"\napi_base = \"{b}\"\n"), true)
        }
        other => {
            let (n, exact) = match other {
                "x" => (oauth::X, true),
                "linkedin" => (oauth::LINKEDIN, true),
                "youtube" => (oauth::GOOGLE, false),
                "tiktok" => (oauth::TIKTOK, false),
                "pinterest" => (oauth::PINTEREST, true),
                "identityserver" => (oauth::IDENTITY_SERVER, true),
                _ => panic!("no double for {other}"),
            };
            let paths = (
                n.authorize_path,
                n.token_path,
                n.revoke_path,
                n.introspect_path,
                n.identity_path,
            );
            let d = Double::start(n, &format!("app-{other}"), &format!("{other}-secret"));
            let b = d.base.clone();
            let mut e = format!(
                "authorize_url = \"{b}{}\"\ntoken_url = \"{b}{}\"\n",
                paths.0, paths.1
            );
            if let Some(p) = paths.2 {
                e.push_str(&format!("revocation_url = \"{b}{p}\"\n"));
            }
            if let Some(p) = paths.3 {
                e.push_str(&format!("introspection_url = \"{b}{p}\"\n"));
            }
            let api = if other == "pinterest" {
                format!("{b}/v5")
            } else {
                b.clone()
            };
            e.push_str(&format!("api_base = \"{api}\"\n"));
            if other == "linkedin" || other == "identityserver" {
                e.push_str(&format!("userinfo_url = \"{b}{}\"\n", paths.4));
            }
            if other == "identityserver" {
                e.push_str(&format!("issuer = \"{b}\"\n"));
            }
            (d, other, e, exact)
        }
    };
    let mut env = super::Env::new();
    let client_id = double.state().client_id.clone();
    let secret = double.state().client_secret.clone();
    let mut config = format!("[providers.{name}]\nclient_id = \"{client_id}\"\n{endpoints}");
    {
        let mut s = double.state();
        if exact {
            let port = super::free_port();
            config.push_str(&format!("redirect_port = {port}\n"));
            s.redirect_uris
                .push(format!("http://127.0.0.1:{port}/callback"));
        } else {
            let path = if name == "tiktok" {
                "/callback/"
            } else {
                "/callback"
            };
            s.any_loopback_port = Some(path.into());
        }
        s.users.get_mut("u-ann").unwrap().accounts = accounts;
    }
    let proxy = proxied.then(|| super::proxy::Proxy::start(&double.base));
    if let Some(p) = &proxy {
        config = config.replace(&double.base, &p.base);
        // Reached through the proxy, the double names the proxy as its issuer (in
        // its discovery document and ID tokens), as a server behind one is set up to.
        double.state().issuer = p.base.clone();
    }
    env.write_config(&config);
    env.set(
        &format!("SBCTL_CLIENT_SECRET_{}", name.to_uppercase()),
        &secret,
    );
    env.set("BROWSER", &super::follow_page());
    Scene { double, env, proxy }
}

impl Scene {
    /// The loopback port the scene registered as the exact redirect URI.
    pub fn redirect_port(&self) -> u16 {
        std::fs::read_to_string(self.env.config_path())
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("redirect_port = "))
            .expect("an exact redirect port")
            .parse()
            .unwrap()
    }

    /// `profiles add <id> --network <network>` through the browser, with more flags.
    pub fn add(&self, id: &str, network: &str, more: &[&str]) -> super::Run {
        let mut args = vec![
            "profiles",
            "add",
            id,
            "--network",
            network,
            "--timeout",
            "30s",
        ];
        args.extend_from_slice(more);
        self.env.run(&args)
    }

    /// The profile as `profiles show --json` gives it.
    pub fn show(&self, id: &str) -> Value {
        self.env.run(&["profiles", "show", id, "--json"]).json()
    }

    /// The tokens stored for a profile.
    pub fn tokens(&self, id: &str) -> Value {
        serde_json::from_str(
            self.env.secrets()[&format!("profile:{id}")]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    }

    /// Moves both clocks forward: the double's, and the profile's stored times.
    pub fn age(&self, id: &str, secs: i64) {
        self.double.state().clock += secs;
        self.env.sql(&format!(
            "UPDATE profiles SET issued_at = issued_at - {secs}, expires_at = expires_at - {secs}, \
             refresh_expires_at = refresh_expires_at - {secs}, last_refreshed_at = last_refreshed_at - {secs} WHERE id = '{id}'"
        ));
    }
}

impl Scene {
    /// A second user of the network, who signs in from now on.
    pub fn sign_in_as(&self, user: &str, name: &str) {
        let mut st = self.double.state();
        let active = st.now();
        st.users.insert(
            user.into(),
            User {
                name: name.into(),
                username: None,
                accounts: Vec::new(),
                active,
            },
        );
        st.signed_in = user.into();
    }

    /// The tokens stored for a profile, if any.
    pub fn tokens_gone_or(&self, id: &str) -> Option<Value> {
        self.env.secrets().get(&format!("profile:{id}")).cloned()
    }
}
