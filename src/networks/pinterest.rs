//! Pinterest (developers.pinterest.com/docs/getting-started/authentication): authorize
//! at pinterest.com/oauth/, exchange at `POST /v5/oauth/token` with HTTP Basic; the
//! redirect URI must match a registered one exactly. Continuous refresh: every answer
//! carries a new refresh token and `refresh_token_expires_in` (60 days), all stored.
//! `GET /v5/user_account` names the account: `id` is the stable user account id, and
//! `username` (which the user can change) its name. No revocation API for user tokens.

use super::{dialect, Identity, Spec};
use crate::config::ClientAuth;
use crate::oauth::client::Pkce;

pub const SPEC: Spec = Spec {
    name: "pinterest",
    title: "Pinterest",
    authorize_url: "https://www.pinterest.com/oauth/",
    token_url: "https://api.pinterest.com/v5/oauth/token",
    api_base: "https://api.pinterest.com/v5",
    revocation_url: None,
    introspection_url: None,
    userinfo_url: None,
    scopes: &[
        "boards:read",
        "pins:read",
        "pins:write",
        "user_accounts:read",
    ],
    dialect: dialect(",", Pkce::Off, false),
    client_auth: ClientAuth::Basic,
    id_param: "client_id",
    // Exact match: Pinterest "Authentication": the redirect_uri must match one the
    // app registered.
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under My apps > your app > Redirect URIs",
    extra_authorize: &[],
    lifecycle:
        "30-day access token; continuous refresh: each renewal brings a new 60-day refresh token",
};

pub const IDENTITY: Identity = Identity {
    path: "/user_account",
    id: "/id",
    name: "/username",
};
