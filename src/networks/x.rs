//! X (docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code):
//! PKCE required, the callback URL must match a registered one exactly, the code is
//! exchanged within 30 seconds; confidential clients authenticate with HTTP Basic.
//! Access tokens live 2 hours; a refresh token comes only with `offline.access` and is
//! single-use (the answer carries the next one). `GET /2/users/me` names the account;
//! `POST /2/oauth2/revoke` revokes.

use super::{dialect, Identity, Network, Spec};
use crate::config::ClientAuth;
use crate::oauth::client::Pkce;

pub const SPEC: Spec = Spec {
    name: "x",
    title: "X",
    authorize_url: "https://x.com/i/oauth2/authorize",
    token_url: "https://api.x.com/2/oauth2/token",
    api_base: "https://api.x.com",
    revocation_url: Some("https://api.x.com/2/oauth2/revoke"),
    introspection_url: None,
    userinfo_url: None,
    scopes: &["tweet.read", "tweet.write", "users.read", "offline.access"],
    dialect: dialect(" ", Pkce::S256, false),
    client_auth: ClientAuth::Basic,
    id_param: "client_id",
    // Exact match: X "OAuth 2.0 Authorization Code Flow with PKCE": redirect_uri must
    // match a Callback URI of the app (127.0.0.1, not localhost).
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under User authentication settings > Callback URI / Redirect URL",
    extra_authorize: &[],
    lifecycle:
        "2-hour access token; single-use refresh token (offline.access), rotated on every renewal",
    network: &X,
    login: None,
};

/// X is plain OAuth 2.0 with PKCE: its identity call is all it adds.
pub struct X;

impl Network for X {
    fn identity(&self) -> Option<&'static Identity> {
        Some(&IDENTITY)
    }
}

pub const IDENTITY: Identity = Identity {
    path: "/2/users/me",
    id: "/data/id",
    name: "/data/username",
};
