//! OAuth 2.0 for native apps: the authorize URL with PKCE and state, the code exchange,
//! and the loopback listener that catches the redirect.

pub mod browser;
pub mod callback;
pub mod client;
pub mod device;
pub mod http;
pub mod listener;
pub mod pages;

use std::time::Duration;

/// What can go wrong in the protocol's steps: the loopback listener, the authorize
/// URL, the code exchange.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("port {0} is already in use on 127.0.0.1")]
    PortInUse(u16),
    #[error("cannot listen on 127.0.0.1:{port} ({reason})")]
    Bind { port: u16, reason: String },
    #[error("no answer from the browser within {0}")]
    TimedOut(String),
    #[error("the authorize URL is not a valid URL ({0})")]
    AuthorizeUrl(String),
    /// The provider answered with an OAuth (or Graph API) error.
    #[error("{error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("cannot reach the token endpoint ({0})")]
    Unreachable(String),
    #[error("the token endpoint's answer cannot be read ({0})")]
    BadResponse(String),
}

impl crate::error::Explained for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::PortInUse(p) => Some(format!(
                "stop what uses port {p}, or pass --port with another port your app registration allows"
            )),
            Error::TimedOut(_) => Some(
                "run it again; for a browser on another machine, use --no-browser and paste the address it ends up on".into(),
            ),
            _ => None,
        }
    }
}

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
