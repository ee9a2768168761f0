//! LinkedIn (learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow,
//! /programmatic-refresh-tokens, /token-introspection): authorize and exchange at
//! linkedin.com/oauth/v2 with the client secret in the form; native apps may redirect
//! to `http://127.0.0.1:{any port}`. Access tokens live 60 days. Refresh tokens exist
//! only for approved partners, with a 365-day life that renewing does **not** extend:
//! a hard deadline (`refresh_token_expires_in` counts down in each answer). The account
//! comes from OpenID Connect userinfo; `POST /oauth/v2/introspectToken` checks a token
//! and says `active`, `expired` or `revoked`; `POST /oauth/v2/revoke` revokes.

use super::http;
use super::{bearer_verify, dialect, problem, Identity, Net, Network, Problem, Spec, Verdict};
use crate::config::{ClientAuth, Introspect, ProviderConfig};
use crate::domain::failure::Failure;
use crate::domain::profile::{Profile, Reason, Timestamp};
use crate::domain::token::TokenSet;
use crate::error::{Error, Result};
use crate::oauth::client::Pkce;
use oauth2::reqwest::blocking::Client as Http;
use serde_json::Value;

pub const SPEC: Spec = Spec {
    name: "linkedin",
    title: "LinkedIn",
    authorize_url: "https://www.linkedin.com/oauth/v2/authorization",
    token_url: "https://www.linkedin.com/oauth/v2/accessToken",
    api_base: "https://api.linkedin.com",
    revocation_url: Some("https://www.linkedin.com/oauth/v2/revoke"),
    introspection_url: Some("https://www.linkedin.com/oauth/v2/introspectToken"),
    userinfo_url: Some("https://api.linkedin.com/v2/userinfo"),
    scopes: &["openid", "profile", "w_member_social"],
    dialect: dialect(" ", Pkce::S256, false),
    client_auth: ClientAuth::Post,
    id_param: "client_id",
    // Exact match, port included, on the standard flow: LinkedIn "Authorization Code
    // Flow": the redirect_uri must match an Authorized Redirect URL. Any loopback port
    // only on the native PKCE flow (`NATIVE`).
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under Auth > OAuth 2.0 settings > Authorized redirect URLs for your app, port included",
    extra_authorize: &[],
    lifecycle:
        "60-day access token; refresh (approved partners only) until a fixed 365-day deadline",
    network: &LinkedIn,
    login: Some(choose),
};

/// LinkedIn: OpenID Connect userinfo names the account; introspection checks a token.
pub struct LinkedIn;

impl Network for LinkedIn {
    fn identity(&self) -> Option<&'static Identity> {
        Some(&IDENTITY)
    }

    fn verify(&self, net: &Net, http: &Http, p: &Profile, t: &TokenSet, now: Timestamp) -> Verdict {
        verify(net, http, p, t, now)
    }
}

/// LinkedIn's native PKCE flow (LinkedIn "Native PKCE"), which LinkedIn enables per app
/// on request (`login = "native-pkce"`): its own authorize URL, PKCE, no client secret,
/// and any loopback port; introspection needs the client secret, so checks use userinfo.
pub const NATIVE: Spec = Spec {
    authorize_url: "https://www.linkedin.com/oauth/native-pkce/authorization",
    introspection_url: None,
    client_auth: ClientAuth::None,
    // Any port: LinkedIn "Native PKCE": http://127.0.0.1 with any port.
    redirect_port: 0,
    redirect_note: "the native PKCE flow must be enabled for your app by LinkedIn; any port of http://127.0.0.1 is accepted",
    login: None,
    ..SPEC
};

/// Which flow `[providers.linkedin]` uses: `login = "standard"` (default) or
/// `"native-pkce"`.
fn choose(c: &ProviderConfig, config_path: &str) -> Result<&'static Spec> {
    match c.login.as_deref() {
        None | Some("standard") => Ok(&SPEC),
        Some("native-pkce") => Ok(&NATIVE),
        Some(other) => Err(Error::failed(format!(
            "[providers.linkedin] login = \"{}\" is not a LinkedIn sign-in flow",
            other.escape_debug()
        ))
        .hint(format!(
            "set login = \"standard\" or \"native-pkce\" (only once LinkedIn has enabled it for the app) in {config_path}"
        ))),
    }
}

pub const IDENTITY: Identity = Identity {
    path: "userinfo",
    id: "/sub",
    name: "/name",
};

/// Introspection of the access token: it does not use anything up, and it says why a
/// token stopped working.
fn verify(net: &Net, http: &Http, p: &Profile, tokens: &TokenSet, now: Timestamp) -> Verdict {
    let url = match (&net.endpoints.introspection_url, net.introspect) {
        (Some(url), Introspect::Auto | Introspect::Access | Introspect::Refresh) => url,
        _ => return bearer_verify(net, http, tokens, now, &IDENTITY),
    };
    let what = "token introspection";
    let answer = http::post_form(
        http,
        url,
        net.credentials(),
        vec![("token", tokens.access_token.expose().to_owned())],
    );
    let body = match problem(net, what, answer, now) {
        Ok(b) => b,
        Err(p) => return Verdict::Failed(p),
    };
    let status = body.get("status").and_then(Value::as_str).unwrap_or("");
    match (body.get("active").and_then(Value::as_bool), status) {
        (Some(true), _) => Verdict::Valid {
            expires_at: body
                .get("expires_at")
                .and_then(Value::as_i64)
                .map(|s| chrono::DateTime::from_timestamp(s, 0)),
            data_access_expires_at: None,
        },
        (Some(false), s) => {
            let reason = match s {
                "revoked" => Reason::Revoked,
                "expired" => Reason::Expired,
                _ if p.expires_at.is_some_and(|t| t <= now) => Reason::Expired,
                _ => Reason::Invalid,
            };
            Verdict::Failed(Problem {
                failure: Failure::Reauth(reason),
                message: format!(
                    "{} {what}: the token is {}",
                    net.name,
                    if s.is_empty() { "not active" } else { s }
                ),
            })
        }
        (None, _) => Verdict::Failed(super::unexpected(net, what, "it has no `active`")),
    }
}
