//! The device authorization grant (RFC 8628): a code for the person to enter on any
//! device with a browser, and the token endpoint polled until they approve, deny, or
//! the code expires. `poll` is one round; the caller keeps the time.

use super::client::{read_token_answer, ClientConfig};
use super::http;
use super::Error;
use crate::domain::token::Secret;
use serde_json::Value;
use std::time::Duration;

/// RFC 8628 §3.5: without `interval`, clients wait 5 seconds between polls.
const DEFAULT_INTERVAL: u64 = 5;
/// §3.5: `slow_down` adds 5 seconds to the interval for good.
const SLOW_DOWN_STEP: u64 = 5;
/// Longest wait between polls believed (a unit mistake otherwise).
const MAX_INTERVAL: u64 = 60;
/// Longest life of a code believed: a day.
const MAX_EXPIRES_IN: u64 = 86_400;
/// The grant type of the polls (§3.4).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The device authorization answer (§3.2).
pub struct DeviceCode {
    device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// How long the code lives.
    pub expires_in: Duration,
    /// How long to wait between polls, as the server asked (or 5 s).
    pub interval: Duration,
}

/// One poll's outcome (§3.5).
pub enum Poll {
    /// The person has not answered yet.
    Pending,
    /// Poll less often: the interval was raised by 5 seconds (`slow_down`, or 429).
    SlowDown,
    /// No answer this time (or a passing server error): asked again next round.
    Unreachable(String),
    /// Approved: the token endpoint's answer.
    Tokens(Value),
    /// Denied, expired, or refused otherwise: nothing more will come.
    Ended(Error),
}

/// Asks `url` for a device code for `scopes`.
pub fn start(
    http: &oauth2::reqwest::blocking::Client,
    url: &str,
    config: &ClientConfig,
    scopes: &[String],
) -> Result<DeviceCode, Error> {
    let mut form = Vec::new();
    if !scopes.is_empty() {
        form.push(("scope", scopes.join(config.dialect.scope_separator)));
    }
    let answer = http::post_form(http, url, &config.credentials, form)
        .map_err(|e| Error::Unreachable(e.reason))?;
    let body = read_token_answer(&answer)?;
    let text = |key: &str| -> Result<String, Error> {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| Error::BadResponse(format!("it has no `{key}`")))
    };
    let seconds = |key: &str, default: u64, max: u64| -> Result<u64, Error> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| Error::BadResponse(format!("`{key}` is not a number of seconds"))),
        }
    };
    let expires_in = match seconds("expires_in", 0, MAX_EXPIRES_IN)? {
        0 => return Err(Error::BadResponse("it has no `expires_in`".into())),
        s => s,
    };
    let complete = body
        .get("verification_uri_complete")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(DeviceCode {
        device_code: Secret::new(text("device_code")?),
        user_code: text("user_code")?,
        // Google says `verification_url` (its device flow predates the RFC).
        verification_uri: text("verification_uri").or_else(|_| text("verification_url"))?,
        verification_uri_complete: complete,
        expires_in: Duration::from_secs(expires_in),
        interval: Duration::from_secs(seconds("interval", DEFAULT_INTERVAL, MAX_INTERVAL)?),
    })
}

impl DeviceCode {
    /// Asks the token endpoint once whether the person has answered; `SlowDown` raises
    /// this code's interval.
    pub fn poll(
        &mut self,
        http: &oauth2::reqwest::blocking::Client,
        config: &ClientConfig,
    ) -> Poll {
        let form = vec![
            ("grant_type", GRANT_TYPE.to_owned()),
            ("device_code", self.device_code.expose().to_owned()),
        ];
        let answer = match http::post_form(http, &config.token_url, &config.credentials, form) {
            Ok(a) => a,
            // Not reached this time: the code lives on, so ask again next round.
            Err(e) => return Poll::Unreachable(e.reason),
        };
        let slower = |code: &mut DeviceCode| {
            code.interval = (code.interval + Duration::from_secs(SLOW_DOWN_STEP))
                .min(Duration::from_secs(MAX_INTERVAL));
            Poll::SlowDown
        };
        match read_token_answer(&answer) {
            Ok(tokens) => Poll::Tokens(tokens),
            Err(Error::Refused { error, .. }) if error == "authorization_pending" => Poll::Pending,
            Err(Error::Refused { error, .. }) if error == "slow_down" => slower(self),
            Err(_) if answer.status == 429 => slower(self),
            // A server that fails for a moment is asked again.
            Err(_) if answer.status >= 500 => Poll::Unreachable(format!("HTTP {}", answer.status)),
            Err(e) => Poll::Ended(e),
        }
    }
}
