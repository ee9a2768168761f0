//! Pinterest (developers.pinterest.com/docs/getting-started/authentication): authorize
//! at pinterest.com/oauth/, exchange at `POST /v5/oauth/token` with HTTP Basic; the
//! redirect URI must match a registered one exactly. Continuous refresh: every answer
//! carries a new refresh token and `refresh_token_expires_in` (60 days), all stored.
//! `GET /v5/user_account` names the account: `id` is the stable user account id, and
//! `username` (which the user can change) its name. No revocation API for user tokens.

use super::{dialect, Account, Identity, Network, Spec};
use crate::config::ClientAuth;
use crate::domain::profile::Profile;
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
    network: &Pinterest,
    login: None,
};

/// Pinterest: no revocation API, and accounts that sbctl once recorded by username.
pub struct Pinterest;

impl Network for Pinterest {
    fn identity(&self) -> Option<&'static Identity> {
        Some(&IDENTITY)
    }

    /// The same id, or, for a profile connected before sbctl used Pinterest's stable
    /// account id, the same username (which Pinterest lets people change).
    fn same_account(&self, old: &str, new: &Account) -> bool {
        old == new.id || new.name.as_deref() == Some(old)
    }

    /// A profile whose account id is still its username (as sbctl recorded it before
    /// it used the stable id).
    fn legacy_account(&self, p: &Profile) -> bool {
        p.account_id.is_some() && p.account_id == p.account_name
    }

    fn no_revocation(&self) -> Option<&'static str> {
        Some("Pinterest offers no revocation API: remove the app in Pinterest under Settings > Security and logins > Apps")
    }
}

pub const IDENTITY: Identity = Identity {
    path: "/user_account",
    id: "/id",
    name: "/username",
};
