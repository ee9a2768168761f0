//! Any OAuth 2.0 / OpenID Connect provider from the config file (`[providers.NAME]`):
//! endpoints from OIDC discovery (`issuer`) or given one by one, and the account
//! identified by the OIDC `sub` (userinfo, else the ID token from the token endpoint).

use super::id_token::Claims;
use super::DiscoveryCache;
use super::{
    exchange_grant, problem, Account, At, Call, Connection, Endpoints, Net, Network, Verdict,
};
use crate::config::{Introspect, Provider, ProviderConfig};
use crate::domain::failure::Failure;
use crate::domain::profile::{Profile, Reason, Timestamp};
use crate::domain::token::{Secret, TokenSet};
use crate::error::{Error, Result};
use crate::oauth::http::{self, check_scheme};
use oauth2::reqwest::blocking::Client as Http;
use serde::Deserialize;
use serde_json::Value;

/// A provider from the config file: the account by its OIDC `sub`, a nonce for its ID
/// token, introspection or userinfo to check a token.
pub struct Custom;

impl Network for Custom {
    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        connect(net, http, token, at)
    }

    fn verify(&self, net: &Net, http: &Http, p: &Profile, t: &TokenSet, now: Timestamp) -> Verdict {
        verify(net, http, p, t, now)
    }

    /// It may introspect an expired token instead of renewing it.
    fn renewing_checks(&self) -> bool {
        false
    }

    fn sends_nonce(&self) -> bool {
        true
    }
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    introspection_endpoint: Option<String>,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    jwks_uri: Option<String>,
    #[serde(default)]
    device_authorization_endpoint: Option<String>,
}

/// The provider's endpoints: explicit ones from the config win over discovered ones.
pub fn endpoints(
    provider: &Provider,
    http: &Http,
    (config_path, cache): (&str, &dyn DiscoveryCache),
) -> Result<Endpoints> {
    let name = &provider.name;
    let c: &ProviderConfig = &provider.config;
    let discovered = match (&c.issuer, &c.authorize_url, &c.token_url) {
        // Both endpoints given: discovery still gives what the config does not (the
        // key set for ID tokens, revocation, introspection), when it answers; a
        // provider whose discovery is down can still be used through them.
        (Some(issuer), Some(_), Some(_)) => match discover(name, issuer, http, cache) {
            Ok(d) => Some(d),
            Err(e) if e.kind == crate::error::ErrorKind::Transient => None,
            Err(e) => return Err(e),
        },
        (None, Some(_), Some(_)) => None,
        (Some(issuer), _, _) => Some(discover(name, issuer, http, cache)?),
        _ => {
            return Err(Error::failed(format!(
                "provider {name} has no endpoints: set `issuer`, or `authorize_url` and `token_url`, under [providers.{name}] in {config_path}"
            )))
        }
    };
    let pick = |explicit: &Option<String>, found: Option<String>| explicit.clone().or(found);
    let d = discovered.as_ref();
    let e = Endpoints {
        authorize_url: pick(
            &c.authorize_url,
            d.map(|d| d.authorization_endpoint.clone()),
        )
        .expect("explicit or discovered"),
        token_url: pick(&c.token_url, d.map(|d| d.token_endpoint.clone()))
            .expect("explicit or discovered"),
        userinfo_url: pick(&c.userinfo_url, d.and_then(|d| d.userinfo_endpoint.clone())),
        introspection_url: pick(
            &c.introspection_url,
            d.and_then(|d| d.introspection_endpoint.clone()),
        ),
        revocation_url: pick(
            &c.revocation_url,
            d.and_then(|d| d.revocation_endpoint.clone()),
        ),
        device_authorization_url: pick(
            &c.device_authorization_url,
            d.and_then(|d| d.device_authorization_endpoint.clone()),
        ),
        api_base: c.api_base.clone().unwrap_or_default(),
        issuer: c.issuer.clone(),
        jwks_url: d.and_then(|d| d.jwks_uri.clone()),
    };
    check_scheme(name, "authorize_url", &e.authorize_url)?;
    check_scheme(name, "token_url", &e.token_url)?;
    for (what, url) in [
        ("userinfo_url", &e.userinfo_url),
        ("introspection_url", &e.introspection_url),
        ("revocation_url", &e.revocation_url),
        ("jwks_uri", &e.jwks_url),
        ("device_authorization_url", &e.device_authorization_url),
    ] {
        if let Some(u) = url {
            check_scheme(name, what, u)?;
        }
    }
    Ok(e)
}

/// The provider's discovery document: the one kept from an earlier run while it is
/// fresh (a day), else the provider's, kept for next time. A provider whose discovery
/// is down leaves the last good document in use, however old.
fn discover(
    name: &str,
    issuer: &str,
    http: &Http,
    cache: &dyn DiscoveryCache,
) -> Result<Discovery> {
    let read = |text: &str| {
        serde_json::from_str::<Discovery>(text)
            .ok()
            .filter(|d| d.issuer.trim_end_matches('/') == issuer.trim_end_matches('/'))
    };
    let cached = cache.load(issuer);
    if let Some(d) = cached
        .as_ref()
        .filter(|c| c.fresh)
        .and_then(|c| read(&c.document))
    {
        return Ok(d);
    }
    match fetch_discovery(name, issuer, http) {
        Ok((d, document)) => {
            cache.save(issuer, &document);
            Ok(d)
        }
        Err(e) if e.kind == crate::error::ErrorKind::Transient => {
            cached.and_then(|c| read(&c.document)).ok_or(e)
        }
        Err(e) => Err(e),
    }
}

/// Asks the provider for its discovery document (and returns it as sent too). A
/// provider that does not answer, or answers 429 or 5xx, is down or busy: asked again
/// with the renewals' backoff, then a passing failure (exit 4), never taken for a
/// mistake in the config. An answer that is there and wrong (404, not a discovery
/// document, another issuer) is the config's (exit 1).
fn fetch_discovery(name: &str, issuer: &str, http: &Http) -> Result<(Discovery, String)> {
    use crate::domain::renewal::{backoff, MAX_ATTEMPTS, MAX_RETRY_TIME};
    check_scheme(name, "issuer", issuer)?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let failed = |why: String| {
        Error::failed(format!(
            "provider {name}: OIDC discovery at {url} failed ({why})"
        ))
        .hint(format!(
            "check `issuer`, or give `authorize_url` and `token_url` under [providers.{name}]"
        ))
    };
    let started = std::time::Instant::now();
    let mut attempt = 0;
    let answer = loop {
        // Through the one capped path: at most 1 MiB of a provider's answer is read.
        let (why, retry_after) = match http::send(http.get(&url)) {
            Ok(a) if a.status == 200 => break a,
            Ok(a) if a.status == 429 || a.status >= 500 => {
                let retry_after = a
                    .retry_after
                    .as_deref()
                    .and_then(|h| crate::domain::failure::parse_retry_after(h, chrono::Utc::now()));
                (format!("HTTP {}", a.status), retry_after)
            }
            Ok(a) => return Err(failed(format!("HTTP {}", a.status))),
            Err(e) => (e.reason, None),
        };
        attempt += 1;
        let wait = backoff(attempt - 1, retry_after, rand::random::<f64>());
        let gave_up = attempt >= MAX_ATTEMPTS
            || started.elapsed() + wait >= MAX_RETRY_TIME
            || !crate::interrupt::sleep(wait);
        if gave_up {
            return Err(Error::transient(format!(
                "provider {name}: OIDC discovery at {url} could not be reached ({why}, {attempt} tries)"
            ))
            .hint("the provider is down or busy, which is no fault of the config: try again later (the next run does)"));
        }
    };
    let d: Discovery = serde_json::from_str(&answer.body)
        .map_err(|_| failed("the answer is not an OIDC discovery document".into()))?;
    if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(failed(format!("it names another issuer, `{}`", d.issuer)));
    }
    Ok((d, answer.body))
}

/// Who signed in, by the OIDC `sub`. An ID token from the token endpoint is verified
/// (`id_token::verify`) and names the account; userinfo, where offered, gives a name
/// when the token has none, and must name the same `sub`; without an ID token,
/// userinfo alone names the account. Neither: unknown.
fn identify(
    net: &Net,
    http: &Http,
    access_token: &Secret,
    id_token: Option<&str>,
    (now, nonce): (Timestamp, Option<&str>),
) -> std::result::Result<Option<Account>, String> {
    let verified = id_token
        .map(|jwt| super::id_token::verify(net, http, jwt, nonce, now))
        .transpose()?;
    let from_userinfo = match &net.endpoints.userinfo_url {
        Some(url) => Some(userinfo(http, url, access_token)?),
        None => None,
    };
    let account = |c: &Claims| Account {
        id: c.sub.clone(),
        name: c.display_name(),
    };
    Ok(match (verified, from_userinfo) {
        (Some(t), Some(u)) if t.sub != u.sub => {
            return Err("userinfo names another account (`sub`) than the ID token".into())
        }
        (Some(t), Some(u)) => Some(Account {
            id: t.sub.clone(),
            name: t.display_name().or_else(|| u.display_name()),
        }),
        (Some(c), None) | (None, Some(c)) => Some(account(&c)),
        (None, None) => None,
    })
}

/// The userinfo endpoint's claims for an access token.
fn userinfo(http: &Http, url: &str, access_token: &Secret) -> std::result::Result<Claims, String> {
    let failed = |why: String| format!("userinfo failed ({why})");
    let answer = http::get_bearer(http, url, access_token).map_err(|e| failed(e.reason))?;
    if answer.status != 200 {
        return Err(failed(format!("HTTP {}", answer.status)));
    }
    let json: serde_json::Value =
        serde_json::from_str(&answer.body).map_err(|_| failed("the answer is not JSON".into()))?;
    serde_json::from_value(json).map_err(|_| failed("the answer has no `sub`".into()))
}

/// After the code exchange: the account by its OIDC `sub`, when the provider says.
fn connect(
    net: &Net,
    http: &Http,
    token: Value,
    (now, nonce): (Timestamp, Option<&str>),
) -> Call<Vec<Connection>> {
    let id_token = token
        .get("id_token")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let grant = exchange_grant(net, token, now)?;
    let account = identify(
        net,
        http,
        &grant.tokens.access_token,
        id_token.as_deref(),
        (now, nonce),
    )
    .map_err(|why| super::Problem {
        failure: Failure::Unexpected,
        message: format!(
            "provider {}: cannot tell which account signed in: {why}",
            net.name
        ),
    })?;
    let renewable = grant.tokens.refresh_token.is_some();
    Ok(vec![Connection {
        account,
        grant,
        data_access_expires_at: None,
        renewable,
        login: None,
    }])
}

/// An online check, in the order `introspect` (config) sets:
/// - `auto`: the refresh token's introspection; `active: true` settles it, but
///   `active: false` is only a doubt (RFC 7662 §2.2 lets a server answer so for any
///   token it does not introspect, as Doorkeeper and oauthlib-based servers do for
///   refresh tokens), to be confirmed by the access token's introspection or userinfo
///   while the access token is valid;
/// - `refresh`: the refresh token's introspection, believed;
/// - `access`: the access token's introspection while it is valid, else userinfo;
/// - `off`: userinfo while the access token is valid.
///
/// What none of these settles is `Inconclusive` (the engine then renews, if it can) or
/// `Unsupported`: never a guess.
fn verify(net: &Net, http: &Http, p: &Profile, tokens: &TokenSet, now: Timestamp) -> Verdict {
    let e = &net.endpoints;
    let access_valid = p.expires_at.is_none_or(|t| t > now);
    let url = e
        .introspection_url
        .as_deref()
        .filter(|_| net.introspect != Introspect::Off);
    let mut doubt = None;
    if let (Some(url), Some(rt), Introspect::Auto | Introspect::Refresh) =
        (url, &tokens.refresh_token, net.introspect)
    {
        match introspect(net, http, url, rt, "refresh_token", now) {
            Err(problem) => return Verdict::Failed(problem),
            Ok(true) => return valid(),
            Ok(false) if net.introspect == Introspect::Refresh => {
                return inactive(net, p, now, "refresh token")
            }
            Ok(false) => {
                doubt = Some(format!(
                    "{} answered `active: false` for the refresh token, which RFC 7662 also lets a server answer for tokens it does not introspect, and nothing confirmed it",
                    net.name
                ))
            }
        }
    }
    if access_valid {
        if let (Some(url), Introspect::Auto | Introspect::Access) = (url, net.introspect) {
            return match introspect(net, http, url, &tokens.access_token, "access_token", now) {
                Err(problem) => Verdict::Failed(problem),
                Ok(true) => valid(),
                Ok(false) => inactive(net, p, now, "access token"),
            };
        }
        if let Some(url) = &e.userinfo_url {
            let answer = http::get_bearer(http, url, &tokens.access_token);
            return super::verify_by_call(net, "userinfo call", answer, now);
        }
    }
    match doubt {
        Some(why) => Verdict::Inconclusive(why),
        None => Verdict::Unsupported(format!(
            "{} offers no introspection or userinfo endpoint to check this token with{}",
            net.name,
            if access_valid {
                ""
            } else {
                " once its access token has expired"
            }
        )),
    }
}

fn valid() -> Verdict {
    Verdict::Valid {
        expires_at: None,
        data_access_expires_at: None,
    }
}

/// RFC 7662 introspection: `Ok(active)`, or the failure the answer means.
fn introspect(
    net: &Net,
    http: &Http,
    url: &str,
    token: &Secret,
    hint: &str,
    now: Timestamp,
) -> Call<bool> {
    let what = format!("introspection of the {}", hint.replace('_', " "));
    let body = problem(
        net,
        &what,
        super::post_token(net, http, url, token, hint),
        now,
    )?;
    body.get("active")
        .and_then(Value::as_bool)
        .ok_or_else(|| super::unexpected(net, &what, "it has no `active`"))
}

/// A confirmed `active: false`: expired when the refresh token's deadline has passed,
/// else revoked.
fn inactive(net: &Net, p: &Profile, now: Timestamp, which: &str) -> Verdict {
    let expired = p.refresh_expires_at.is_some_and(|t| t <= now);
    Verdict::Failed(super::Problem {
        failure: Failure::Reauth(if expired {
            Reason::Expired
        } else {
            Reason::Revoked
        }),
        message: format!("{} says the {which} is no longer active", net.name),
    })
}
