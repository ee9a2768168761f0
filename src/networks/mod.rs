//! The networks sbctl knows by name, and custom OAuth 2.0 / OIDC providers, behind
//! one `Net`: how to sign in (authorize URL, code exchange, the steps after it and the
//! accounts it yields), renew, verify and revoke. Each built-in network has its own
//! file with its defaults (`Spec`) and what it does differently, written from its
//! developer documentation; `custom` serves any provider from the config file.

pub mod custom;
pub mod facebook;
pub mod id_token;
pub mod instagram;
pub mod linkedin;
pub mod pinterest;
pub mod threads;
pub mod tiktok;
pub mod x;
pub mod youtube;

use crate::config::{ClientAuth, Introspect, Provider, ProviderConfig, Reach};
use crate::domain::failure::{classify, Answer, Failure, Known};
use crate::domain::profile::{Profile, Timestamp};
use crate::domain::renewal::Capability;
use crate::domain::token::{grant_from_json, Grant, Secret, TokenSet};
use crate::error::{Error, Result};
use crate::oauth::client::{ClientConfig, Dialect, Pkce};
use crate::oauth::http::{self, Credentials, HttpAnswer, Sent};
use oauth2::reqwest::blocking::Client as Http;
use serde_json::Value;
use std::collections::BTreeMap;

/// What sbctl knows of a built-in network before any config.
pub struct Spec {
    pub name: &'static str,
    pub title: &'static str,
    pub authorize_url: &'static str,
    pub token_url: &'static str,
    pub api_base: &'static str,
    pub revocation_url: Option<&'static str>,
    pub introspection_url: Option<&'static str>,
    pub userinfo_url: Option<&'static str>,
    pub scopes: &'static [&'static str],
    pub dialect: Dialect,
    pub client_auth: ClientAuth,
    /// `client_id`, or TikTok's `client_key`.
    pub id_param: &'static str,
    /// The port of the registered redirect URI; 0 where any loopback port is accepted.
    pub redirect_port: u16,
    pub redirect_path: &'static str,
    /// Where the redirect URI is registered, and what most often goes wrong there:
    /// said while sbctl waits for a browser that does not come back.
    pub redirect_note: &'static str,
    pub extra_authorize: &'static [(&'static str, &'static str)],
    /// A one-line account of the token lifecycle, for `providers list` and the README.
    pub lifecycle: &'static str,
    /// What the network does differently from plain OAuth 2.0.
    pub network: &'static dyn Network,
    /// The network's `login` setting, where it has one: the spec it picks.
    pub login: Option<LoginChoice>,
}

/// When a code exchange's answer came, and the nonce its ID token must carry.
pub type At<'a> = (Timestamp, Option<&'a str>);

/// Picks a network's spec from its `login` setting (the config file's path for the
/// error).
pub type LoginChoice = fn(&ProviderConfig, &str) -> Result<&'static Spec>;

/// What one network does differently. The defaults are plain OAuth 2.0: the network's
/// identity call to connect and verify, the refresh-token grant to renew, RFC 7009
/// to revoke. Each network's file implements it with what differs.
pub trait Network: Sync {
    /// Its plain identity call (a bearer GET naming the token's account), if any.
    fn identity(&self) -> Option<&'static Identity> {
        None
    }

    /// The steps after the code exchange: long-lived tokens, the accounts the sign-in
    /// reaches, and their tokens. `nonce` is what an OIDC ID token must carry.
    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        let grant = exchange_grant(net, token, at.0)?;
        let account = self.identify(net, http, &grant.tokens.access_token, at.0)?;
        Ok(single(account, grant))
    }

    /// The chosen account's last step (Facebook asks `debug_token` for its deadlines).
    fn finish(&self, _net: &Net, _http: &Http, c: Connection, _now: Timestamp) -> Call<Connection> {
        Ok(c)
    }

    /// Whether a renewal can be asked for now (the refresh token's deadline is
    /// checked before).
    fn capability(&self, _p: &Profile, tokens: &TokenSet, _now: Timestamp) -> Capability {
        match tokens.refresh_token {
            Some(_) => Capability::Ready,
            None => Capability::Impossible,
        }
    }

    /// Why a token cannot be renewed before `ready` (`Capability::NotBefore`), for
    /// people.
    fn not_before_words(&self, ready: Timestamp) -> String {
        format!(
            "it cannot be renewed before {}",
            ready.format("%Y-%m-%d %H:%M UTC")
        )
    }

    /// The account a profile should record in place of the one it has, when its id is
    /// of an older form (`legacy_account`) and the tokens' account says the stable one.
    fn current_account(
        &self,
        net: &Net,
        http: &Http,
        (p, tokens): (&Profile, &TokenSet),
        now: Timestamp,
    ) -> Option<Account> {
        let old = p.account_id.as_deref().filter(|_| self.legacy_account(p))?;
        let account = self.identify(net, http, &tokens.access_token, now).ok()?;
        (self.same_account(old, &account) && old != account.id).then_some(account)
    }

    /// One renewal request.
    fn renew(&self, net: &Net, http: &Http, tokens: &TokenSet) -> Sent {
        match &tokens.refresh_token {
            Some(rt) => refresh_grant(net, http, rt),
            None => Err(http::NoAnswer {
                reason: "no refresh token is stored".into(),
                maybe_sent: false,
            }),
        }
    }

    /// A token answer with the network's field names made standard.
    fn normalize(&self, value: Value) -> Value {
        value
    }

    /// Whether renewing an expired access token is the way to check it: an identity
    /// call says nothing of a token that has run out.
    fn renewing_checks(&self) -> bool {
        true
    }

    /// Asks the network whether the tokens still work, without using them up.
    fn verify(
        &self,
        net: &Net,
        http: &Http,
        _p: &Profile,
        t: &TokenSet,
        now: Timestamp,
    ) -> Verdict {
        match self.identity() {
            Some(ident) => bearer_verify(net, http, t, now, ident),
            None => Verdict::Unsupported(format!("{} has no identity call", net.name)),
        }
    }

    /// Where the network offers no way to revoke: where people remove the app instead.
    fn no_revocation(&self) -> Option<&'static str> {
        None
    }

    /// Revokes the grant, where the network offers a way.
    fn revoke(&self, net: &Net, http: &Http, t: &TokenSet, now: Timestamp) -> Call<Revocation> {
        if let Some(how) = self.no_revocation() {
            return Ok(Revocation::NotOffered(how));
        }
        match &net.endpoints.revocation_url {
            Some(url) => rfc7009_revoke(net, http, url, t, now),
            None => Ok(Revocation::NotOffered(
                "this provider has no revocation_url: revoke the app's access in the provider's account settings",
            )),
        }
    }

    /// Who a token belongs to, by the identity call.
    fn identify(&self, net: &Net, http: &Http, token: &Secret, now: Timestamp) -> Call<Account> {
        match self.identity() {
            Some(ident) => identify_by(net, http, ident, token, now),
            None => Err(unexpected(net, "identity call", "not offered here")),
        }
    }

    /// Whether `new` is the account a profile recorded as `old`.
    fn same_account(&self, old: &str, new: &Account) -> bool {
        old == new.id
    }

    /// Whether a profile's account id is of an older form, to be looked up again.
    fn legacy_account(&self, _p: &Profile) -> bool {
        false
    }

    /// Whether the authorize request carries a nonce for an OIDC ID token.
    fn sends_nonce(&self) -> bool {
        false
    }

    /// Where the account is chosen when the sign-in reaches several: the name of the
    /// dialog with a picker (Facebook's Pages), if the network has one.
    fn account_picker(&self) -> Option<&'static str> {
        None
    }

    /// Why a refused sign-in's tokens are not revoked, where revoking would reach
    /// further than the sign-in (Facebook revokes the whole user's access).
    fn keeps_refused_grants(&self) -> Option<&'static str> {
        None
    }

    /// Whether revocation takes the access token (which must then be live).
    fn revokes_with_access_token(&self) -> bool {
        false
    }

    /// What revoking one token ends here, when the config does not say: every grant
    /// of the account (Facebook's `DELETE /me/permissions`, Google's and TikTok's
    /// revocation), only that token's sign-in, or, where the documentation does not
    /// say (RFC 7009 lets a server end only the token it is given), unknown.
    fn revocation(&self) -> Reach {
        Reach::Unknown
    }
}

/// The built-in networks, in the order users see them.
pub const SPECS: [&Spec; 8] = [
    &facebook::SPEC,
    &instagram::SPEC,
    &threads::SPEC,
    &x::SPEC,
    &linkedin::SPEC,
    &youtube::SPEC,
    &tiktok::SPEC,
    &pinterest::SPEC,
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().copied().find(|s| s.name == name)
}

/// A provider's endpoints (its spec's, each overridable in the config, or a custom
/// provider's, discovered) and spec (as its `login` setting picks it).
fn endpoints(
    provider: &Provider,
    http: &Http,
    (config_path, discovery): (&str, &dyn DiscoveryCache),
) -> Result<(Endpoints, Option<&'static Spec>)> {
    let (name, c) = (&provider.name, &provider.config);
    let Some(spec) = spec(name) else {
        let e = custom::endpoints(provider, http, (config_path, discovery))?;
        return Ok((e, None));
    };
    let spec = match spec.login {
        Some(choose) => choose(c, config_path)?,
        None => spec,
    };
    let pick = |o: &Option<String>, d: &str| o.clone().unwrap_or_else(|| d.into());
    let pick_opt = |o: &Option<String>, d: Option<&str>| o.clone().or(d.map(str::to_owned));
    let e = Endpoints {
        authorize_url: pick(&c.authorize_url, spec.authorize_url),
        token_url: pick(&c.token_url, spec.token_url),
        api_base: pick(&c.api_base, spec.api_base),
        revocation_url: pick_opt(&c.revocation_url, spec.revocation_url),
        introspection_url: pick_opt(&c.introspection_url, spec.introspection_url),
        userinfo_url: pick_opt(&c.userinfo_url, spec.userinfo_url),
        device_authorization_url: c.device_authorization_url.clone(),
        issuer: None,
        jwks_url: None,
    };
    for (what, url) in [
        ("authorize_url", Some(&e.authorize_url)),
        ("token_url", Some(&e.token_url)),
        ("api_base", Some(&e.api_base)),
        ("revocation_url", e.revocation_url.as_ref()),
        ("introspection_url", e.introspection_url.as_ref()),
        ("userinfo_url", e.userinfo_url.as_ref()),
        (
            "device_authorization_url",
            e.device_authorization_url.as_ref(),
        ),
    ] {
        if let Some(u) = url {
            http::check_scheme(name, what, u)?;
        }
    }
    Ok((e, Some(spec)))
}

/// Why a built-in network cannot revoke (no revocation API), told from the settings
/// alone, before anything else is asked of the user.
pub fn no_revocation(provider: &Provider, config_path: &str) -> Option<&'static str> {
    let spec = spec(&provider.name)?;
    let spec = match spec.login {
        Some(choose) => choose(&provider.config, config_path).ok()?,
        None => spec,
    };
    spec.network.no_revocation()
}

/// Checks a provider's settings as `Net::resolve` reads them, all but the client
/// secret: its endpoints (discovery for a custom provider), `login`, the URLs' schemes.
/// What `doctor` judges them with.
pub fn check_settings(
    provider: &Provider,
    http: &Http,
    (config_path, discovery): (&str, &dyn DiscoveryCache),
) -> Result<()> {
    endpoints(provider, http, (config_path, discovery)).map(|_| ())
}

/// The client id, which every use of a provider needs.
pub fn client_id(provider: &Provider, config_path: &str) -> Result<String> {
    let name = &provider.name;
    provider.config.client_id.clone().ok_or_else(|| {
        Error::failed(format!("provider {name} has no client_id")).hint(format!(
            "set client_id under [providers.{name}] in {config_path} (the app id from the network's developer console)"
        ))
    })
}

/// The client secret, read at the wiring (`SBCTL_CLIENT_SECRET_<NAME>`, else the
/// secret store): required unless the client is public.
fn client_secret(
    provider: &Provider,
    secret: Option<Secret>,
    auth: ClientAuth,
) -> Result<Option<Secret>> {
    let name = &provider.name;
    if secret.is_none() && auth != ClientAuth::None {
        return Err(Error::failed(format!("provider {name} has no client secret")).hint(format!(
            "run `sbctl providers set-secret {name}` (or set {}); for a public client set client_auth = \"none\"",
            Provider::env_var(name)
        )));
    }
    Ok(secret)
}

/// What the settings must know of the built-in networks.
pub fn catalog() -> crate::config::Catalog {
    crate::config::Catalog {
        built_in: SPECS.iter().map(|s| s.name).collect(),
        with_login: SPECS
            .iter()
            .filter(|s| s.login.is_some())
            .map(|s| s.name)
            .collect(),
    }
}

/// The account a token belongs to: its stable id, and a name for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
}

/// Where a provider's endpoints are, after config overrides and discovery.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub api_base: String,
    pub revocation_url: Option<String>,
    pub introspection_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// Where a device sign-in starts (RFC 8628), where the provider offers one.
    pub device_authorization_url: Option<String>,
    /// A custom provider's OIDC issuer and its keys (`jwks_uri` from discovery), which
    /// an ID token's issuer and signature are checked against.
    pub issuer: Option<String>,
    pub jwks_url: Option<String>,
}

/// A failed call to a network: what it means, and words for the user (never a token).
/// The networks' one error type: a call gives a `Problem`, resolving a provider the
/// CLI's error with its fix.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Problem {
    pub failure: Failure,
    pub message: String,
}

pub type Call<T> = std::result::Result<T, Problem>;

/// One account a sign-in gives access to, with its tokens.
pub struct Connection {
    pub account: Option<Account>,
    pub grant: Grant,
    pub data_access_expires_at: Option<Timestamp>,
    /// Whether sbctl can renew it without the user.
    pub renewable: bool,
    /// The network's user through whom the account is reached (the Facebook user who
    /// manages a Page), where that is another than the account.
    pub login: Option<String>,
}

/// What verifying a token found.
pub enum Verdict {
    Valid {
        /// `Some` when the network said when the token expires (`Some(None)`: never).
        expires_at: Option<Option<Timestamp>>,
        data_access_expires_at: Option<Timestamp>,
    },
    Failed(Problem),
    /// The network's answer allows more than one reading and nothing confirmed either:
    /// neither "works" nor "broken" (RFC 7662's `active: false` for a refresh token).
    Inconclusive(String),
    /// No way to check this token without using it up.
    Unsupported(String),
}

impl Verdict {
    /// How the answer was read, for `-v` (never a token).
    pub fn describe(&self) -> String {
        match self {
            Verdict::Valid { .. } => "the token works".into(),
            Verdict::Failed(p) => {
                let meaning = match p.failure {
                    Failure::Reauth(r) => format!("re-authorization needed ({})", r.describe()),
                    Failure::Transient { .. } => "could not be checked now".into(),
                    Failure::Config => "a configuration problem".into(),
                    Failure::Unexpected => "an answer sbctl does not know".into(),
                };
                format!("{meaning}: {}", p.message)
            }
            Verdict::Inconclusive(why) => format!("unknown: {why}"),
            Verdict::Unsupported(why) => format!("not checkable: {why}"),
        }
    }
}

/// The outcome of revoking at the network.
pub enum Revocation {
    Done,
    /// The network offers no revocation API; the words say where the user can do it.
    NotOffered(&'static str),
}

/// A network or provider, resolved: endpoints, client, scopes and redirect rules.
pub struct Net {
    pub name: String,
    pub network: &'static dyn Network,
    pub endpoints: Endpoints,
    pub client: ClientConfig,
    pub scopes: Vec<String>,
    pub extra_authorize: BTreeMap<String, String>,
    pub redirect_port: u16,
    pub redirect_path: String,
    /// Where the redirect URI is registered and what goes wrong there (`Spec`).
    pub redirect_note: String,
    /// Which token an online check shows to the introspection endpoint.
    pub introspect: Introspect,
    /// What revoking one token ends (config `revocation`, else the network's).
    pub revocation: Reach,
}

/// A provider's discovery document as kept from an earlier run.
pub struct CachedDiscovery {
    /// The document as the provider sent it.
    pub document: String,
    /// Fetched recently enough (a day) to be used without asking again.
    pub fresh: bool,
}

/// Where the last good discovery document of each issuer is kept between runs, so
/// that an outage of a provider's discovery alone stops nothing.
pub trait DiscoveryCache {
    fn load(&self, issuer: &str) -> Option<CachedDiscovery>;
    /// Keeps `document` as `issuer`'s last good one (fetched now).
    fn save(&self, issuer: &str, document: &str);
}

impl Net {
    /// Resolves a provider for use: its endpoints (config overrides, discovery) and
    /// client credentials, each missing piece an error naming the key to set. The
    /// client secret, read by the caller, is required unless `client_auth = "none"`.
    pub fn resolve(
        provider: &Provider,
        secret: Option<Secret>,
        http: &Http,
        (config_path, discovery): (&str, &dyn DiscoveryCache),
    ) -> Result<Net> {
        let name = &provider.name;
        let c = &provider.config;
        let (endpoints, spec) = endpoints(provider, http, (config_path, discovery))?;
        let client_id = client_id(provider, config_path)?;
        let auth = c
            .client_auth
            .or(spec.map(|s| s.client_auth))
            .unwrap_or_default();
        let secret = client_secret(provider, secret, auth)?;
        let scopes = c.scopes.clone().unwrap_or_else(|| match spec {
            Some(s) => s.scopes.iter().map(|s| s.to_string()).collect(),
            None => vec!["openid".into(), "offline_access".into()],
        });
        let mut extra_authorize: BTreeMap<String, String> = spec
            .map(|s| {
                s.extra_authorize
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        extra_authorize.extend(c.extra_authorize_params.clone());
        Ok(Net {
            name: name.clone(),
            network: spec.map_or(&custom::Custom as &dyn Network, |s| s.network),
            client: ClientConfig {
                credentials: Credentials {
                    client_id,
                    secret,
                    auth,
                    id_param: spec.map_or("client_id", |s| s.id_param),
                },
                authorize_url: endpoints.authorize_url.clone(),
                token_url: endpoints.token_url.clone(),
                dialect: spec.map_or(Dialect::RFC, |s| s.dialect),
            },
            endpoints,
            scopes,
            extra_authorize,
            redirect_port: c
                .redirect_port
                .or(spec.map(|s| s.redirect_port))
                .unwrap_or(0),
            redirect_path: c
                .redirect_path
                .clone()
                .unwrap_or_else(|| spec.map_or("/callback", |s| s.redirect_path).to_owned()),
            redirect_note: spec.map_or(
                "register it with the provider as an allowed redirect URI".to_owned(),
                |s| s.redirect_note.to_owned(),
            ),
            introspect: c.introspect.unwrap_or_default(),
            revocation: c
                .revocation
                .unwrap_or_else(|| spec.map_or(Reach::Unknown, |s| s.network.revocation())),
        })
    }

    pub fn credentials(&self) -> &Credentials {
        &self.client.credentials
    }

    /// Whether `new` is the account a profile recorded as `old`.
    pub fn same_account(&self, old: &str, new: &Account) -> bool {
        self.network.same_account(old, new)
    }

    /// Whether the profile's account id is of an older form, looked up again on its
    /// next check or renewal.
    pub fn legacy_account(&self, p: &Profile) -> bool {
        self.network.legacy_account(p)
    }

    /// The steps after the code exchange: long-lived tokens, the accounts the sign-in
    /// reaches, and their tokens. `nonce` is what a custom provider's OIDC ID token
    /// must carry (sent with the authorize request).
    pub fn connect(
        &self,
        http: &Http,
        token: Value,
        at: (Timestamp, Option<&str>),
    ) -> Call<Vec<Connection>> {
        self.network.connect(self, http, token, at)
    }

    /// The chosen account's last step.
    pub fn finish(&self, http: &Http, c: Connection, now: Timestamp) -> Call<Connection> {
        self.network.finish(self, http, c, now)
    }

    /// Whether `renew` can be asked now: never past the refresh token's deadline.
    pub fn renewal(&self, p: &Profile, tokens: &TokenSet, now: Timestamp) -> Capability {
        if p.refresh_expired(now) {
            return Capability::Impossible;
        }
        self.network.capability(p, tokens, now)
    }

    /// Whether renewing an expired access token is the way to check it.
    pub fn renewing_checks(&self) -> bool {
        self.network.renewing_checks()
    }

    /// One renewal request, by the network's own mechanism (after `renewal` said Ready).
    pub fn renew(&self, http: &Http, tokens: &TokenSet) -> Sent {
        self.network.renew(self, http, tokens)
    }

    /// A 200 answer to `renew`, read as a grant in the network's terms.
    pub fn read_renewal(
        &self,
        answer: &HttpAnswer,
        now: Timestamp,
    ) -> std::result::Result<Grant, String> {
        let value = answer
            .json()
            .ok_or_else(|| format!("{}: the token endpoint's answer is not JSON", self.name))?;
        self.grant(value, now).map_err(|e| {
            format!(
                "{}: the token endpoint's answer cannot be used: {e}",
                self.name
            )
        })
    }

    /// A token answer as a grant: each network's field names made standard first.
    pub fn grant(&self, value: Value, now: Timestamp) -> std::result::Result<Grant, String> {
        grant_from_json(&self.network.normalize(value), now)
    }

    /// Asks the network whether the tokens still work, without using them up.
    pub fn verify(&self, http: &Http, p: &Profile, tokens: &TokenSet, now: Timestamp) -> Verdict {
        self.network.verify(self, http, p, tokens, now)
    }

    /// `verify`, with the requests it made (method, address without query, status),
    /// for `-v`.
    pub fn verify_traced(
        &self,
        http: &Http,
        p: &Profile,
        tokens: &TokenSet,
        now: Timestamp,
    ) -> (Verdict, Vec<String>) {
        http::take_trail();
        let verdict = self.verify(http, p, tokens, now);
        (verdict, http::take_trail())
    }

    /// Revokes the grant at the network, where it offers a way.
    pub fn revoke(&self, http: &Http, tokens: &TokenSet, now: Timestamp) -> Call<Revocation> {
        self.network.revoke(self, http, tokens, now)
    }

    /// Whether revoking ends every grant the account gave the app, so that nothing
    /// from earlier sign-ins stays live.
    pub fn revocation_ends_every_grant(&self) -> bool {
        self.revocation == Reach::Account
    }
}

/// `grant_type=refresh_token` at the token endpoint (RFC 6749 §6).
pub fn refresh_grant(net: &Net, http: &Http, refresh_token: &Secret) -> Sent {
    http::post_form(
        http,
        &net.endpoints.token_url,
        net.credentials(),
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose().to_owned()),
        ],
    )
}

/// RFC 7009 revocation of the refresh token (which takes its access tokens with it
/// at X, Google and TikTok), else of the access token. A token the network no longer
/// knows is as good as revoked.
fn rfc7009_revoke(
    net: &Net,
    http: &Http,
    url: &str,
    tokens: &TokenSet,
    now: Timestamp,
) -> Call<Revocation> {
    let (token, hint) = match &tokens.refresh_token {
        Some(rt) => (rt, "refresh_token"),
        None => (&tokens.access_token, "access_token"),
    };
    match post_token(net, http, url, token, hint) {
        Ok(a) if a.status == 200 => Ok(Revocation::Done),
        Ok(a) if a.status == 400 && a.body.contains("invalid_token") => Ok(Revocation::Done),
        other => Err(problem(net, "revocation", other, now).unwrap_err()),
    }
}

/// A token and its type POSTed with client authentication: RFC 7009 revocation and
/// RFC 7662 introspection.
pub fn post_token(net: &Net, http: &Http, url: &str, token: &Secret, hint: &str) -> Sent {
    http::post_form(
        http,
        url,
        net.credentials(),
        vec![
            ("token", token.expose().to_owned()),
            ("token_type_hint", hint.to_owned()),
        ],
    )
}

/// An answer read as JSON when it is a 200, else as the failure it means.
pub fn problem(net: &Net, what: &str, answer: Sent, now: Timestamp) -> Call<Value> {
    let answer = answer.map_err(|reason| Problem {
        failure: Failure::Transient { retry_after: None },
        message: format!("cannot reach {} for the {what} ({reason})", net.name),
    })?;
    if answer.status == 200 {
        let body = answer.json().ok_or_else(|| Problem {
            failure: Failure::Unexpected,
            message: format!("{}'s answer to the {what} is not JSON", net.name),
        })?;
        // TikTok documents its error bodies (`{"error": {"code": ...}}`, "ok" when all
        // is well) but not their HTTP status: an error code in a 200 counts as well.
        if let Some(failure) = crate::domain::failure::error_code(&body) {
            return Err(Problem {
                failure,
                message: format!(
                    "{} {what}: {}",
                    net.name,
                    crate::domain::failure::describe(&body)
                ),
            });
        }
        return Ok(body);
    }
    let (failure, message) = classify(
        &Answer {
            status: answer.status,
            body: &answer.body,
            retry_after: answer.retry_after.as_deref(),
        },
        now,
        Known::default(),
    );
    Err(Problem {
        failure,
        message: format!("{} {what}: {message}", net.name),
    })
}

/// A field of an answer that must be there: its absence is a failure naming the
/// network and the call, never a panic.
pub fn field<'a>(net: &Net, what: &str, value: &'a Value, pointer: &str) -> Call<&'a Value> {
    value
        .pointer(pointer)
        .filter(|v| !v.is_null())
        .ok_or_else(|| {
            unexpected(
                net,
                what,
                &format!(
                    "it has no `{}`",
                    pointer.trim_start_matches('/').replace('/', ".")
                ),
            )
        })
}

/// A string or number field as text (ids come as either).
pub fn text_field(net: &Net, what: &str, value: &Value, pointer: &str) -> Call<String> {
    match field(net, what, value, pointer)? {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(unexpected(
            net,
            what,
            &format!("`{}` is not an id", pointer.trim_start_matches('/')),
        )),
    }
}

pub fn unexpected(net: &Net, what: &str, why: &str) -> Problem {
    Problem {
        failure: Failure::Unexpected,
        message: format!(
            "{}'s answer to the {what} is not what its documentation says: {why}",
            net.name
        ),
    }
}

/// The token answer of the code exchange, read as a grant.
pub fn exchange_grant(net: &Net, value: Value, now: Timestamp) -> Call<Grant> {
    net.grant(value, now)
        .map_err(|e| unexpected(net, "code exchange", &e))
}

/// One connection for one account, renewable when a refresh token came.
pub fn single(account: Account, grant: Grant) -> Vec<Connection> {
    let renewable = grant.tokens.refresh_token.is_some();
    vec![Connection {
        account: Some(account),
        grant,
        data_access_expires_at: None,
        renewable,
        login: None,
    }]
}

/// A verdict from an identity call made with the access token: 200 means it works.
pub fn verify_by_call(net: &Net, what: &str, answer: Sent, now: Timestamp) -> Verdict {
    match problem(net, what, answer, now) {
        Ok(_) => Verdict::Valid {
            expires_at: None,
            data_access_expires_at: None,
        },
        Err(p) => Verdict::Failed(p),
    }
}

/// Pkce for the `Spec` tables.
pub const fn dialect(scope_separator: &'static str, pkce: Pkce, exchange_by_get: bool) -> Dialect {
    Dialect {
        scope_separator,
        pkce,
        exchange_by_get,
    }
}

/// Where a network says who a token belongs to: a GET with the token as bearer.
pub struct Identity {
    /// Path under `api_base` (or a full URL when `userinfo`).
    pub path: &'static str,
    /// JSON pointers to the account id and a name for people.
    pub id: &'static str,
    pub name: &'static str,
}

fn identity_call(net: &Net, http: &Http, ident: &Identity, token: &Secret) -> Sent {
    let target = if ident.path == "userinfo" {
        net.endpoints.userinfo_url.clone().unwrap_or_default()
    } else {
        http::url(&net.endpoints.api_base, ident.path, &[])
    };
    http::get_bearer(http, &target, token)
}

/// The account a token belongs to, by the network's identity call.
fn identify_by(
    net: &Net,
    http: &Http,
    ident: &Identity,
    token: &Secret,
    now: Timestamp,
) -> Call<Account> {
    let what = "identity call";
    let me = problem(net, what, identity_call(net, http, ident, token), now)?;
    let id = text_field(net, what, &me, ident.id)?;
    let name = me
        .pointer(ident.name)
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Account { id, name })
}

/// The identity call again: a 200 means the access token works.
pub fn bearer_verify(
    net: &Net,
    http: &Http,
    tokens: &TokenSet,
    now: Timestamp,
    ident: &Identity,
) -> Verdict {
    verify_by_call(
        net,
        "identity call",
        identity_call(net, http, ident, &tokens.access_token),
        now,
    )
}

#[cfg(test)]
mod tests {
    use crate::domain::token::grant_from_json;
    use chrono::{TimeDelta, TimeZone, Utc};
    use serde_json::{json, Value};

    /// Each network's token answer as its documentation's own example gives it, field
    /// for field, read as sbctl reads it: (page, answer made standard, access lifetime,
    /// refresh deadline, scopes).
    #[test]
    fn documented_token_answers_are_read() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let in_secs = |s: i64| Some(now + TimeDelta::seconds(s));
        let cases: Vec<(&str, Value, Option<_>, Option<_>, &[&str])> = vec![
            (
                "docs.x.com: OAuth 2.0 Authorization Code Flow with PKCE, step 3",
                json!({"token_type":"bearer","expires_in":7200,"access_token":"VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPWGxNd2dxOjE2MjIxNjA4MjU4MjU6MToxOmF0OjE","scope":"tweet.write users.read tweet.read follows.write offline.access","refresh_token":"bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNjA4MjU4MjU6MToxOnJ0OjE"}),
                in_secs(7200),
                None,
                &["tweet.write", "users.read", "tweet.read", "follows.write", "offline.access"],
            ),
            (
                "learn.microsoft.com/linkedin: Programmatic Refresh Tokens",
                json!({"access_token":"BBBB2AAvlL_DYEzvT2wz1QJiEPeLioeA","expires_in":5184000,"refresh_token":"AQWAft_WjYZKwuWXLC5hQlghgTam-tuT8CvFej9-XxGyqeER_7jTr8HmjiGjqil13i7gMFjyDxh1g7C_G1gyTZmfcD0Bo2oEHofNAkr_76mSk84sppsGbygwW-5oLsb_OH","refresh_token_expires_in":525600,"scope":"r_basicprofile"}),
                in_secs(5_184_000),
                in_secs(525_600),
                &["r_basicprofile"],
            ),
            (
                "developers.google.com/identity/protocols/oauth2/native-app, step 5",
                json!({"access_token":"1/fFAGRNJru1FTz70BzhT3Zg","expires_in":3920,"token_type":"Bearer","scope":"https://www.googleapis.com/auth/drive.metadata.readonly https://www.googleapis.com/auth/calendar.readonly","refresh_token":"1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI"}),
                in_secs(3920),
                None,
                &["https://www.googleapis.com/auth/drive.metadata.readonly", "https://www.googleapis.com/auth/calendar.readonly"],
            ),
            (
                "developers.tiktok.com/doc/oauth-user-access-token-management",
                super::tiktok::SPEC.network.normalize(json!({"access_token":"act.example12345Example12345Example","expires_in":86400,"open_id":"afd97af1-b87b-48b9-ac98-410aghda5344","refresh_expires_in":31536000,"refresh_token":"rft.example12345Example12345Example","scope":"user.info.basic,video.list","token_type":"Bearer"})),
                in_secs(86_400),
                in_secs(31_536_000),
                &["user.info.basic", "video.list"],
            ),
            (
                "Pinterest API v5 OpenAPI: OauthAccessTokenResponseEverlastingRefresh",
                json!({"response_type":"refresh_token","access_token":"pina_AMAZ2WYXACAAAAYAGCAHKDPXP5WLZDQBACGSPLCNQGYRC6AA","token_type":"bearer","expires_in":2592000,"scope":"boards:read,pins:read,user_accounts:read","refresh_token":"pinr_AQAZ2WYXACAAAAYAGCAHKDPXP5WLZDQBACGSPLCNQGYRC6AA","refresh_token_expires_in":5184000,"refresh_token_expires_at":(now + TimeDelta::seconds(5_184_000)).timestamp()}),
                in_secs(2_592_000),
                in_secs(5_184_000),
                &["boards:read", "pins:read", "user_accounts:read"],
            ),
            (
                "developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login: long-lived token",
                super::instagram::SPEC.network.normalize(json!({"access_token":"IGAAxLongLivedUserAccessToken","token_type":"bearer","expires_in":5183944})),
                in_secs(5_183_944),
                in_secs(5_183_944),
                &[],
            ),
            (
                "developers.facebook.com/docs/threads/get-started/long-lived-tokens",
                super::threads::SPEC.network.normalize(json!({"access_token":"THQVJLongLivedUserAccessToken","token_type":"bearer","expires_in":5183944})),
                in_secs(5_183_944),
                in_secs(5_183_944),
                &[],
            ),
        ];
        for (page, answer, expires, refresh_expires, scopes) in cases {
            let g = grant_from_json(&answer, now).unwrap_or_else(|e| panic!("{page}: {e}"));
            assert_eq!(g.expires_at, expires, "{page}");
            assert_eq!(g.refresh_expires_at, refresh_expires, "{page}");
            let granted = g.scopes.unwrap_or_default();
            assert_eq!(granted, scopes, "{page}");
            assert!(g.notes.is_empty(), "{page}: {:?}", g.notes);
        }
    }
}
