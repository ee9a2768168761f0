//! Instagram, two ways (developers.facebook.com/docs/instagram-platform):
//!
//! - **Instagram Login** (default): authorize at instagram.com, exchange the code with
//!   a form POST to api.instagram.com (short-lived token, 1 h, and the `user_id`), then
//!   `GET graph.instagram.com/access_token?grant_type=ig_exchange_token` for a 60-day
//!   token, renewed with `refresh_access_token?grant_type=ig_refresh_token` once it is
//!   at least 24 hours old and while it is unexpired (60 days from then).
//! - **Facebook Login** (`login = "facebook"`): business and creator accounts linked to
//!   a Facebook Page, with Facebook's lifecycle (see `facebook`).
//!
//! Threads works like Instagram Login with `th_` grant types (see `threads`), so the
//! steps are written once here, parameterised by `Login`.

use super::{
    dialect, exchange_grant, field, problem, text_field, verify_by_call, Account, At, Call,
    Connection, Net, Network, Spec, Verdict,
};
use crate::config::{ClientAuth, ProviderConfig};
use crate::domain::profile::{Profile, Timestamp};
use crate::domain::renewal::Capability;
use crate::domain::token::TokenSet;
use crate::error::{Error, Result};
use crate::oauth::client::Pkce;
use crate::oauth::http::{self, url, Sent};
use chrono::TimeDelta;
use oauth2::reqwest::blocking::Client as Http;
use serde_json::Value;

pub const SPEC: Spec = Spec {
    name: "instagram",
    title: "Instagram",
    authorize_url: "https://www.instagram.com/oauth/authorize",
    token_url: "https://api.instagram.com/oauth/access_token",
    api_base: "https://graph.instagram.com",
    revocation_url: None,
    introspection_url: None,
    userinfo_url: None,
    scopes: &["instagram_business_basic", "instagram_business_content_publish"],
    dialect: dialect(",", Pkce::Off, false),
    client_auth: ClientAuth::Post,
    id_param: "client_id",
    // Exact match: Instagram API with Instagram Login, "Business Login": the
    // redirect_uri must exactly match one of the app's OAuth redirect URIs.
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under Instagram > API setup with Instagram login > Business login settings > OAuth redirect URIs",
    extra_authorize: &[],
    lifecycle: "60-day token renewed with ig_refresh_token (at least 24 h old, unexpired); with login = \"facebook\", Facebook's rules",
    network: &LOGIN,
    login: Some(choose),
};

/// Instagram through Facebook Login and the account's Page.
pub const VIA_FACEBOOK: Spec = Spec {
    scopes: &[
        "instagram_basic",
        "instagram_content_publish",
        "pages_show_list",
        "pages_read_engagement",
    ],
    network: &super::facebook::INSTAGRAM,
    login: None,
    ..super::facebook::SPEC
};

/// Which login `[providers.instagram]` uses: `login = "instagram"` (default) or `"facebook"`.
fn choose(c: &ProviderConfig, config_path: &str) -> Result<&'static Spec> {
    match c.login.as_deref() {
        None | Some("instagram") => Ok(&SPEC),
        Some("facebook") => Ok(&VIA_FACEBOOK),
        Some(other) => Err(Error::failed(format!(
            "[providers.instagram] login = \"{}\" is not a way to sign in to Instagram",
            other.escape_debug()
        ))
        .hint(format!(
            "set login = \"instagram\" (Instagram Login) or \"facebook\" (accounts linked to a Facebook Page) in {config_path}"
        ))),
    }
}

/// The Meta "login" flows that renew a long-lived token with itself.
pub struct Login {
    pub exchange_grant: &'static str,
    pub refresh_grant: &'static str,
    pub me_path: &'static str,
    pub me_fields: &'static str,
    /// Where the account id is in the `me` answer.
    pub me_id: &'static str,
    /// Where people revoke the app: the network has no revocation API.
    pub revoke_at: &'static str,
    /// The network's name, for people.
    pub title: &'static str,
}

pub const LOGIN: Login = Login {
    exchange_grant: "ig_exchange_token",
    refresh_grant: "ig_refresh_token",
    me_path: "/me",
    me_fields: "user_id,username",
    me_id: "/user_id",
    revoke_at: "Instagram offers no revocation API: remove the app in Instagram under Settings > Apps and websites",
    title: "Instagram",
};

/// Instagram Login and Threads: a long-lived token renewed with itself.
impl Network for Login {
    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        connect_with(net, http, token, at.0, self)
    }

    /// The token renews itself once it is 24 hours old, while it is unexpired.
    fn not_before_words(&self, ready: Timestamp) -> String {
        format!(
            "{} renews a token only once it is 24 hours old: from {}",
            self.title,
            ready.format("%Y-%m-%d %H:%M UTC")
        )
    }

    fn capability(&self, p: &Profile, _: &TokenSet, now: Timestamp) -> Capability {
        match p.issued_at.map(|t| t + TimeDelta::hours(24)) {
            Some(ready) if ready > now => Capability::NotBefore(ready),
            _ => Capability::Ready,
        }
    }

    fn renew(&self, net: &Net, http: &Http, tokens: &TokenSet) -> Sent {
        http::send(http.get(url(
            &net.endpoints.api_base,
            "/refresh_access_token",
            &[
                ("grant_type", self.refresh_grant),
                ("access_token", tokens.access_token.expose()),
            ],
        )))
    }

    fn normalize(&self, value: Value) -> Value {
        self_renewing(value)
    }

    fn verify(&self, net: &Net, http: &Http, _: &Profile, t: &TokenSet, now: Timestamp) -> Verdict {
        let answer = http::send(http.get(url(
            &net.endpoints.api_base,
            self.me_path,
            &[
                ("fields", self.me_fields),
                ("access_token", t.access_token.expose()),
            ],
        )));
        verify_by_call(net, "identity call", answer, now)
    }

    fn no_revocation(&self) -> Option<&'static str> {
        Some(self.revoke_at)
    }
}

/// A token renewed with itself can be renewed until it expires: its expiry is also
/// the deadline of the renewal path.
fn self_renewing(mut value: Value) -> Value {
    if let Some(obj) = value.as_object_mut() {
        if let Some(e) = obj.get("expires_in").cloned() {
            obj.entry("refresh_token_expires_in").or_insert(e);
        }
        // Instagram names the granted scopes `permissions`.
        if let Some(p) = obj.remove("permissions") {
            obj.entry("scope").or_insert(p);
        }
    }
    value
}

/// Code -> short-lived token -> long-lived token -> who it is.
fn connect_with(
    net: &Net,
    http: &Http,
    token: Value,
    now: Timestamp,
    login: &Login,
) -> Call<Vec<Connection>> {
    // The Instagram API answers `{"data": [{...}]}`; older answers are the object itself.
    let token = match token.pointer("/data/0") {
        Some(inner) => inner.clone(),
        None => token,
    };
    let short = exchange_grant(net, token, now)?;
    let what = format!("long-lived token exchange ({})", login.exchange_grant);
    let answer = http::send(http.get(url(
        &net.endpoints.api_base,
        "/access_token",
        &[
            ("grant_type", login.exchange_grant),
            ("client_secret", net.credentials().secret_text()),
            ("access_token", short.tokens.access_token.expose()),
        ],
    )));
    let long = problem(net, &what, answer, now)?;
    let mut grant = exchange_grant(net, long, now)?;
    grant.scopes = grant.scopes.or(short.scopes);
    let what = "identity call";
    let answer = http::send(http.get(url(
        &net.endpoints.api_base,
        login.me_path,
        &[
            ("fields", login.me_fields),
            ("access_token", grant.tokens.access_token.expose()),
        ],
    )));
    let me = problem(net, what, answer, now)?;
    let id = text_field(net, what, &me, login.me_id)?;
    let name = field(net, what, &me, "/username")
        .ok()
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(vec![Connection {
        account: Some(Account { id, name }),
        grant,
        data_access_expires_at: None,
        renewable: true,
        login: None,
    }])
}
