//! Threads (developers.facebook.com/docs/threads/get-started): authorize at
//! threads.net, exchange the code at graph.threads.net (short-lived token and
//! `user_id`), `th_exchange_token` for a 60-day token, renewed with
//! `th_refresh_token` once it is 24 hours old; a token not renewed within its 60 days
//! is gone. The steps are Instagram Login's (see `instagram`) with these names.

use super::instagram::Login;
use super::{dialect, Spec};
use crate::config::ClientAuth;
use crate::oauth::client::Pkce;

pub const SPEC: Spec = Spec {
    name: "threads",
    title: "Threads",
    authorize_url: "https://threads.net/oauth/authorize",
    token_url: "https://graph.threads.net/oauth/access_token",
    api_base: "https://graph.threads.net",
    revocation_url: None,
    introspection_url: None,
    userinfo_url: None,
    scopes: &["threads_basic", "threads_content_publish"],
    dialect: dialect(",", Pkce::Off, false),
    client_auth: ClientAuth::Post,
    id_param: "client_id",
    // Exact match: Threads API "Get Access Tokens and Permissions": the redirect_uri
    // must be one of the app's Redirect Callback URLs.
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under Use cases > Access the Threads API > Settings > Redirect Callback URLs",
    extra_authorize: &[],
    lifecycle: "60-day token renewed with th_refresh_token (at least 24 h old); gone if not renewed within 60 days",
    network: &LOGIN,
    login: None,
};

const LOGIN: Login = Login {
    exchange_grant: "th_exchange_token",
    refresh_grant: "th_refresh_token",
    me_path: "/v1.0/me",
    me_fields: "id,username",
    me_id: "/id",
    revoke_at: "Threads offers no revocation API: remove the app in Threads under Settings > Account > Website permissions",
    title: "Threads",
};
