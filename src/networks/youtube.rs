//! YouTube through Google OAuth (developers.google.com/identity/protocols/oauth2/native-app,
//! developers.google.com/youtube/v3/docs/channels/list): desktop clients redirect to a
//! loopback address on any port, use PKCE, and get a refresh token only with
//! `access_type=offline` (and again on re-consent with `prompt=consent`). Access tokens
//! live about an hour. Refresh tokens die when revoked, unused for six months, after
//! some password changes, past the per-user limit, or after 7 days for apps in
//! "Testing" — all reported as `invalid_grant`. `channels?mine=true` lists the
//! channels the sign-in reaches; `POST oauth2.googleapis.com/revoke` revokes.

use super::{
    dialect, exchange_grant, field, problem, text_field, unexpected, Account, At, Call, Connection,
    Identity, Net, Network, Spec,
};
use crate::config::{ClientAuth, Reach};
use crate::domain::profile::Timestamp;
use crate::oauth::client::Pkce;
use oauth2::reqwest::blocking::Client as Http;
use serde_json::Value;

pub const SPEC: Spec = Spec {
    name: "youtube",
    title: "YouTube",
    authorize_url: "https://accounts.google.com/o/oauth2/v2/auth",
    token_url: "https://oauth2.googleapis.com/token",
    api_base: "https://www.googleapis.com",
    revocation_url: Some("https://oauth2.googleapis.com/revoke"),
    introspection_url: None,
    userinfo_url: None,
    scopes: &[
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube.readonly",
    ],
    dialect: dialect(" ", Pkce::S256, false),
    client_auth: ClientAuth::Post,
    id_param: "client_id",
    // Any port: Google "OAuth 2.0 for iOS & Desktop Apps", loopback IP address: the
    // client of type Desktop app accepts http://127.0.0.1 on any port, unregistered.
    redirect_port: 0,
    redirect_path: "/callback",
    redirect_note: "use an OAuth client of type *Desktop app* (a *Web application* client needs the exact address registered); an app in Testing admits only its test users",
    extra_authorize: &[("access_type", "offline"), ("prompt", "consent")],
    lifecycle: "1-hour access token; refresh token until revoked or unused for 6 months (7 days for apps in Testing)",
    network: &YouTube,
    login: None,
};

/// YouTube: a sign-in reaches the channels of a Google account; the channel list is
/// its identity call.
pub struct YouTube;

impl Network for YouTube {
    fn identity(&self) -> Option<&'static Identity> {
        Some(&CHANNELS)
    }

    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        channels(net, http, token, at.0)
    }

    /// Google's revocation ends the grant, every token of the user and client with it
    /// (developers.google.com/identity/protocols/oauth2/native-app, "Revoking a token").
    fn revocation(&self) -> Reach {
        Reach::Account
    }
}

pub const CHANNELS: Identity = Identity {
    path: "/youtube/v3/channels?part=snippet&mine=true",
    id: "/id",
    name: "/snippet/title",
};

/// One connection per channel the sign-in reaches (a Google account may own several).
fn channels(net: &Net, http: &Http, token: Value, now: Timestamp) -> Call<Vec<Connection>> {
    let grant = exchange_grant(net, token, now)?;
    let what = "channel list";
    let url = crate::oauth::http::url(&net.endpoints.api_base, CHANNELS.path, &[]);
    let body = problem(
        net,
        what,
        crate::oauth::http::get_bearer(http, &url, &grant.tokens.access_token),
        now,
    )?;
    let items = field(net, what, &body, "/items")
        .ok()
        .and_then(Value::as_array)
        .filter(|i| !i.is_empty())
        .ok_or_else(|| unexpected(net, what, "this Google account has no YouTube channel"))?;
    let renewable = grant.tokens.refresh_token.is_some();
    items
        .iter()
        .map(|item| {
            Ok(Connection {
                account: Some(Account {
                    id: text_field(net, what, item, CHANNELS.id)?,
                    name: item
                        .pointer(CHANNELS.name)
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                grant: grant.clone(),
                data_access_expires_at: None,
                renewable,
                login: None,
            })
        })
        .collect()
}
