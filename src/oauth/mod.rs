//! OAuth 2.0 for native apps: the authorize URL with PKCE and state, the code exchange,
//! and the loopback listener that catches the redirect.

pub mod browser;
pub mod callback;
pub mod client;
pub mod http;
pub mod listener;
pub mod pages;

use std::time::Duration;

/// How long one HTTP request may take by default, connection included
/// (`http_timeout` in the config).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP client for providers: bounded in time, and following no redirects (a token
/// endpoint that redirects could forward the code and verifier elsewhere).
pub fn http_client(timeout: Duration) -> oauth2::reqwest::blocking::Client {
    oauth2::reqwest::blocking::Client::builder()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .user_agent(concat!("sbctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client builds with static settings")
}
