//! TikTok (developers.tiktok.com/doc/login-kit-desktop, /doc/oauth-user-access-token-management):
//! the client is named `client_key`, scopes are comma-separated, desktop apps use PKCE
//! with the challenge as the **hex** SHA-256 of the verifier, and the redirect may use
//! any port (`http://127.0.0.1:*/callback/` registered). `POST /v2/oauth/token/` takes
//! `client_key` and `client_secret` in the form for the exchange and for renewals; the
//! answer names the account (`open_id`) and gives `expires_in` (24 h in older docs, 2 h
//! now) and `refresh_expires_in` (365 / 180 days). Refresh tokens rotate.
//! `POST /v2/oauth/revoke/` revokes, with `token` "the user access token to revoke"
//! (Login Kit "Revoke Access"); `GET /v2/user/info/` names the account.

use super::{
    dialect, exchange_grant, problem, text_field, Account, At, Call, Connection, Identity, Net,
    Network, Revocation, Spec,
};
use crate::config::{ClientAuth, Reach};
use crate::domain::profile::Timestamp;
use crate::domain::token::TokenSet;
use crate::oauth::client::Pkce;
use oauth2::reqwest::blocking::Client as Http;
use serde_json::Value;

pub const SPEC: Spec = Spec {
    name: "tiktok",
    title: "TikTok",
    authorize_url: "https://www.tiktok.com/v2/auth/authorize/",
    token_url: "https://open.tiktokapis.com/v2/oauth/token/",
    api_base: "https://open.tiktokapis.com",
    revocation_url: Some("https://open.tiktokapis.com/v2/oauth/revoke/"),
    introspection_url: None,
    userinfo_url: None,
    scopes: &["user.info.basic", "video.publish"],
    dialect: dialect(",", Pkce::S256Hex, false),
    client_auth: ClientAuth::Post,
    id_param: "client_key",
    // Any port: TikTok "Login Kit for Desktop": register http://127.0.0.1:*/callback/
    // (the trailing slash included) as the redirect URI.
    redirect_port: 0,
    redirect_path: "/callback/",
    redirect_note: "register it under Login Kit > Redirect URI for desktop as http://127.0.0.1:*/callback/ (with the trailing slash)",
    extra_authorize: &[],
    lifecycle: "access token of hours, refresh token of months (both from the answer); rotated on every renewal",
    network: &TikTok,
    login: None,
};

/// TikTok: the account comes with the token answer (`open_id`), its own field names,
/// and revocation with the access token.
pub struct TikTok;

impl Network for TikTok {
    fn identity(&self) -> Option<&'static Identity> {
        Some(&IDENTITY)
    }

    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        connect(net, http, token, at.0)
    }

    fn normalize(&self, value: Value) -> Value {
        normalize(value)
    }

    fn revoke(&self, net: &Net, http: &Http, t: &TokenSet, now: Timestamp) -> Call<Revocation> {
        revoke(net, http, t, now)
    }

    /// "Revoke Access" ends the user's authorization of the app.
    fn revocation(&self) -> Reach {
        Reach::Account
    }

    fn revokes_with_access_token(&self) -> bool {
        true
    }
}

pub const IDENTITY: Identity = Identity {
    path: "/v2/user/info/?fields=open_id,display_name",
    id: "/data/user/open_id",
    name: "/data/user/display_name",
};

/// TikTok's `refresh_expires_in` is RFC-style `refresh_token_expires_in`.
fn normalize(mut value: Value) -> Value {
    if let Some(obj) = value.as_object_mut() {
        if let Some(e) = obj.remove("refresh_expires_in") {
            obj.entry("refresh_token_expires_in").or_insert(e);
        }
    }
    value
}

fn connect(net: &Net, http: &Http, token: Value, now: Timestamp) -> Call<Vec<Connection>> {
    let what = "code exchange";
    let open_id = text_field(net, what, &token, "/open_id")?;
    let grant = exchange_grant(net, token, now)?;
    let info = problem(
        net,
        "user info call",
        crate::oauth::http::get_bearer(
            http,
            &crate::oauth::http::url(&net.endpoints.api_base, IDENTITY.path, &[]),
            &grant.tokens.access_token,
        ),
        now,
    )?;
    let name = info
        .pointer(IDENTITY.name)
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(super::single(Account { id: open_id, name }, grant))
}

/// Revokes the grant with its **access** token, as TikTok's "Revoke Access" documents
/// the `token` parameter (a refresh token is refused). An expired access token is
/// renewed first by the caller.
fn revoke(net: &Net, http: &Http, tokens: &TokenSet, now: Timestamp) -> Call<Revocation> {
    let Some(url) = &net.endpoints.revocation_url else {
        return Ok(Revocation::NotOffered(
            "no revocation_url is set for tiktok: revoke the app in TikTok under Settings and privacy > Security > Manage app permissions",
        ));
    };
    let answer = crate::oauth::http::post_form(
        http,
        url,
        net.credentials(),
        vec![("token", tokens.access_token.expose().to_owned())],
    );
    problem(net, "revocation", answer, now).map(|_| Revocation::Done)
}
