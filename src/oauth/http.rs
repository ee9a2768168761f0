//! What every call to a provider shares: client credentials in the form each token
//! endpoint wants them, one bounded request, and a reqwest error told without its URL.

use crate::domain::token::Secret;
use crate::error::{Error, Result};
use oauth2::reqwest::blocking::{Client as Http, RequestBuilder};

/// How a client authenticates at the token endpoint (RFC 6749 §2.3.1): HTTP Basic,
/// the form's `client_secret`, or not at all (a public client, PKCE its proof).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    #[default]
    Basic,
    Post,
    None,
}

/// A provider's answer, as `domain::failure` reads it.
pub struct HttpAnswer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

impl HttpAnswer {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Why no answer came, and whether the request may have reached the network anyway
/// (anything but a refused connection): a rotating refresh token may then be used up.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct NoAnswer {
    pub reason: String,
    pub maybe_sent: bool,
}

/// A request's outcome: the network's answer, or why there was none.
pub type Sent = std::result::Result<HttpAnswer, NoAnswer>;

/// Largest answer read from a provider.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The client's credentials, as the token endpoints want them.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<Secret>,
    pub auth: ClientAuth,
    /// The form name of the client id: `client_id`, or TikTok's `client_key`.
    pub id_param: &'static str,
}

impl Credentials {
    /// Adds client authentication: HTTP Basic with the id and secret form-encoded
    /// first (RFC 6749 §2.3.1), or both in the body, or the id alone (public client).
    pub fn apply(
        &self,
        request: RequestBuilder,
        form: &mut Vec<(&'static str, String)>,
    ) -> RequestBuilder {
        let encode = |s: &str| {
            oauth2::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
        };
        match (&self.auth, &self.secret) {
            (ClientAuth::Basic, Some(secret)) => {
                use base64::Engine;
                let pair = format!("{}:{}", encode(&self.client_id), encode(secret.expose()));
                let value = base64::engine::general_purpose::STANDARD.encode(pair);
                request.header("Authorization", format!("Basic {value}"))
            }
            (ClientAuth::Post, Some(secret)) => {
                form.push((self.id_param, self.client_id.clone()));
                form.push(("client_secret", secret.expose().to_owned()));
                request
            }
            _ => {
                form.push((self.id_param, self.client_id.clone()));
                request
            }
        }
    }

    /// The client secret, for the networks that take it as a query parameter.
    pub fn secret_text(&self) -> &str {
        self.secret.as_ref().map_or("", |s| s.expose())
    }
}

thread_local! {
    /// This thread's requests since the last `take_trail`, for `-v`.
    static TRAIL: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The requests this thread sent since the last call, as `POST https://host/path: 200`:
/// the method, the address without its query (which may hold a token) and the answer's
/// status or why none came.
pub fn take_trail() -> Vec<String> {
    TRAIL.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

/// Sends a request and reads at most 1 MiB of its answer. `Err` says why no answer came.
pub fn send(request: RequestBuilder) -> Sent {
    use std::io::Read;
    let (client, request) = request.build_split();
    let request = request.map_err(|e| NoAnswer {
        reason: reqwest_reason(&e),
        maybe_sent: false,
    })?;
    loopback_in_tests(request.url());
    let mut target = request.url().clone();
    target.set_query(None);
    let _ = target.set_password(None);
    let line = format!("{} {target}", request.method());
    let response = client.execute(request).map_err(|e| {
        let reason = reqwest_reason(&e);
        TRAIL.with(|t| t.borrow_mut().push(format!("{line}: no answer ({reason})")));
        NoAnswer {
            reason,
            maybe_sent: !e.is_connect(),
        }
    })?;
    let status = response.status().as_u16();
    TRAIL.with(|t| t.borrow_mut().push(format!("{line}: {status}")));
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = String::new();
    // One byte more than the cap tells a larger answer from one of exactly 1 MiB: a
    // larger one is not read on, and not taken for what its first MiB says.
    response
        .take(MAX_BODY_BYTES + 1)
        .read_to_string(&mut body)
        .map_err(|e| NoAnswer {
            reason: format!("the answer broke off ({e})"),
            maybe_sent: true,
        })?;
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(NoAnswer {
            reason: "the answer is larger than 1 MiB".into(),
            maybe_sent: true,
        });
    }
    Ok(HttpAnswer {
        status,
        retry_after,
        body,
    })
}

/// A form POST with client authentication.
/// In debug builds run by the tests (`SBCTL_TEST_LOOPBACK_ONLY`), a request to any
/// host but this machine is a bug of the test: it stops sbctl loudly rather than
/// reaching for the internet. Release builds have no such check.
pub fn loopback_in_tests(url: &oauth2::url::Url) {
    #[cfg(debug_assertions)]
    if std::env::var_os("SBCTL_TEST_LOOPBACK_ONLY").is_some() {
        let host = url.host_str().unwrap_or_default();
        assert!(
            matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
            "a test made sbctl reach for {host}: tests talk to 127.0.0.1 only"
        );
    }
    #[cfg(not(debug_assertions))]
    let _ = url;
}

pub fn post_form(
    http: &Http,
    url: &str,
    client: &Credentials,
    mut form: Vec<(&'static str, String)>,
) -> Sent {
    let request = client.apply(http.post(url), &mut form);
    send(request.header("Accept", "application/json").form(&form))
}

/// A GET with a bearer token.
pub fn get_bearer(http: &Http, url: &str, token: &Secret) -> Sent {
    send(http.get(url).bearer_auth(token.expose()))
}

/// A reqwest error's cause, without the URL (which the caller already names).
pub fn reqwest_reason(e: &oauth2::reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_connect() {
        return "connection refused or unreachable".into();
    }
    // The innermost cause says what went wrong; the outer ones repeat the URL.
    let mut text = "request failed".to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

/// Plain http is accepted only on this machine (test doubles, SSH tunnels).
pub fn check_scheme(provider: &str, what: &str, url: &str) -> Result<()> {
    match insecure(url) {
        Some(why) => Err(Error::failed(format!(
            "provider {provider}: {what} `{url}` {why}"
        ))),
        None => Ok(()),
    }
}

/// Why `url` may not carry tokens or account names, if it may not: https only, plain
/// http only on this machine (127.0.0.1, localhost, [::1]).
pub fn insecure(url: &str) -> Option<String> {
    let parsed = match oauth2::url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return Some(format!("is not a URL ({e})")),
    };
    let loopback = matches!(
        parsed.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    );
    match parsed.scheme() {
        "https" => None,
        "http" if loopback => None,
        _ => Some("must use https (plain http only on 127.0.0.1)".into()),
    }
}

/// `base` + `path` + query, the query form-encoded: `url(base, "/me", &[("fields", "id")])`.
pub fn url(base: &str, path: &str, query: &[(&str, &str)]) -> String {
    let mut u = format!("{}{}", base.trim_end_matches('/'), path);
    if !query.is_empty() {
        let q = oauth2::url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        u.push(if u.contains('?') { '&' } else { '?' });
        u.push_str(&q);
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(check_scheme("p", "issuer", "https://id.example.com").is_ok());
        assert!(check_scheme("p", "issuer", "http://127.0.0.1:8080").is_ok());
        assert!(check_scheme("p", "issuer", "http://localhost/x").is_ok());
        assert!(check_scheme("p", "issuer", "http://id.example.com").is_err());
        assert!(check_scheme("p", "issuer", "ftp://127.0.0.1").is_err());
        assert!(check_scheme("p", "issuer", "nonsense").is_err());
    }

    #[test]
    fn urls_join_and_encode() {
        assert_eq!(
            url(
                "https://g.example/v1/",
                "/me",
                &[("fields", "id,name"), ("t", "a b&c")]
            ),
            "https://g.example/v1/me?fields=id%2Cname&t=a+b%26c"
        );
        assert_eq!(
            url("https://g.example", "/x?a=1", &[("b", "2")]),
            "https://g.example/x?a=1&b=2"
        );
    }
}
