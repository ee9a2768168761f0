//! A provider's answer to a renewal or a check, read as what it means for the user
//! (NETWORKS.md "Failure classification"). Pure.

use super::profile::{Reason, Timestamp};
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Only a person can fix it: the profile becomes `reauth_required` for this reason.
    Reauth(Reason),
    /// Passing (rate limit, 5xx, network): retry with backoff, later `refresh_failed`.
    Transient { retry_after: Option<Duration> },
    /// The app's registration is wrong (client id or secret), not the user's doing.
    Config,
    /// An answer sbctl does not recognise: recorded, retried on the next run.
    Unexpected,
}

/// A provider's HTTP answer.
pub struct Answer<'a> {
    pub status: u16,
    pub body: &'a str,
    pub retry_after: Option<&'a str>,
}

/// What sbctl knew before asking, to tell `invalid_grant`'s causes apart.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known {
    pub refresh_expires_at: Option<Timestamp>,
    /// An earlier renewal was cut off while the provider was answering: a rotating
    /// refresh token may have been used up then.
    pub interrupted: bool,
}

/// Reads an answer. Returns the meaning and a short description for `last_error`
/// (the provider's error code and words, never a token).
pub fn classify(answer: &Answer<'_>, now: Timestamp, known: Known) -> (Failure, String) {
    let retry_after = answer.retry_after.and_then(|h| parse_retry_after(h, now));
    let json: Option<Value> = serde_json::from_str(answer.body).ok();
    let described = json.as_ref().map(describe).filter(|d| !d.is_empty());
    let what = |fallback: &str| {
        let base = described.clone().unwrap_or_else(|| fallback.to_owned());
        format!("HTTP {}: {}", answer.status, base)
    };
    if answer.status == 429 || answer.status >= 500 {
        return (
            Failure::Transient { retry_after },
            what("temporarily unavailable"),
        );
    }
    let Some(json) = json else {
        let failure = match answer.status {
            401 => Failure::Reauth(Reason::Invalid),
            // An HTML page from a proxy or a truncated body: not the provider's verdict.
            _ => Failure::Transient { retry_after },
        };
        return (failure, what("the answer is not JSON"));
    };
    let failure = graph_error(&json)
        .or_else(|| coded_error(&json))
        .or_else(|| oauth_error(&json, now, known))
        .unwrap_or(match answer.status {
            401 => Failure::Reauth(Reason::Invalid),
            200..=299 => Failure::Transient { retry_after },
            _ => Failure::Unexpected,
        });
    let failure = match failure {
        Failure::Transient { .. } => Failure::Transient { retry_after },
        other => other,
    };
    (failure, what("no error description"))
}

/// Facebook, Instagram and Threads: `{"error": {"code": 190, "error_subcode": 460}}`.
fn graph_error(json: &Value) -> Option<Failure> {
    let error = json.get("error")?.as_object()?;
    // Graph errors always have a `type` (OAuthException, IGApiException, ...); Google's
    // `{"error": {"code": 401, "status": ...}}` is not one.
    error.get("type")?.as_str()?;
    let code = error.get("code")?.as_i64()?;
    let subcode = error.get("error_subcode").and_then(Value::as_i64);
    Some(match (code, subcode) {
        (190, Some(460)) => Failure::Reauth(Reason::PasswordChanged),
        (190, Some(458 | 467)) => Failure::Reauth(Reason::Revoked),
        (190, Some(463)) => Failure::Reauth(Reason::Expired),
        (190, _) => Failure::Reauth(Reason::Invalid),
        (_, Some(33)) => Failure::Reauth(Reason::Revoked),
        (10 | 200..=299, _) => Failure::Reauth(Reason::ScopeMissing),
        (1 | 2 | 4 | 17 | 32 | 341 | 613, _) => Failure::Transient { retry_after: None },
        _ => Failure::Unexpected,
    })
}

/// Codes as strings: LinkedIn (`{"code": "REVOKED_ACCESS_TOKEN"}`), Instagram, and TikTok's
/// API errors (`{"error": {"code": "scope_not_authorized"}}`).
/// An error code in a body whatever its HTTP status (TikTok's and LinkedIn's codes).
pub fn error_code(json: &Value) -> Option<Failure> {
    coded_error(json)
}

fn coded_error(json: &Value) -> Option<Failure> {
    // Google APIs: {"error": {"errors": [{"reason": "quotaExceeded"}]}}
    let reason = json
        .pointer("/error/errors/0/reason")
        .and_then(Value::as_str);
    if let Some("quotaExceeded" | "rateLimitExceeded" | "userRateLimitExceeded") = reason {
        return Some(Failure::Transient { retry_after: None });
    }
    let code = json
        .get("code")
        .and_then(Value::as_str)
        .or_else(|| json.get("error")?.get("code")?.as_str())?;
    by_code(code)
}

fn by_code(code: &str) -> Option<Failure> {
    Some(match code {
        "REVOKED_ACCESS_TOKEN" => Failure::Reauth(Reason::Revoked),
        "EXPIRED_ACCESS_TOKEN" => Failure::Reauth(Reason::Expired),
        "scope_not_authorized" => Failure::Reauth(Reason::ScopeMissing),
        "rate_limit_exceeded" => Failure::Transient { retry_after: None },
        "access_token_invalid" => Failure::Reauth(Reason::Invalid),
        _ => return None,
    })
}

/// RFC 6749 §5.2 and RFC 6750 §3.1 errors: `{"error": "invalid_grant"}`.
fn oauth_error(json: &Value, now: Timestamp, known: Known) -> Option<Failure> {
    let error = json.get("error")?.as_str()?;
    // X answers a refresh token it no longer accepts with `invalid_request`, "Value
    // passed for the token was invalid.": the same news as `invalid_grant`.
    let x_dead_token = error == "invalid_request"
        && json
            .get("error_description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.contains("token was invalid"));
    let error = if x_dead_token { "invalid_grant" } else { error };
    Some(match error {
        "invalid_grant" => {
            if known.interrupted {
                // Used up by a renewal whose answer never arrived.
                Failure::Reauth(Reason::Invalid)
            } else if known.refresh_expires_at.is_some_and(|t| t <= now) {
                Failure::Reauth(Reason::Expired)
            } else {
                Failure::Reauth(Reason::Revoked)
            }
        }
        "invalid_client" | "unauthorized_client" => Failure::Config,
        "invalid_scope" | "insufficient_scope" => Failure::Reauth(Reason::ScopeMissing),
        "invalid_token" => Failure::Reauth(Reason::Invalid),
        "access_denied" => Failure::Reauth(Reason::Revoked),
        "temporarily_unavailable" | "server_error" => Failure::Transient { retry_after: None },
        other => by_code(other).unwrap_or(Failure::Unexpected),
    })
}

/// The provider's own words, short: code, subcode and message.
pub fn describe(json: &Value) -> String {
    // A field sent as `null` (Facebook's `error_subcode`) says nothing: left out.
    let text = |v: Option<&Value>| -> Option<String> {
        v.and_then(|v| match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
    };
    let parts: Vec<String> = match json.get("error") {
        Some(Value::Object(e)) => [
            text(e.get("code")),
            text(e.get("error_subcode")).map(|s| format!("subcode {s}")),
            text(e.get("message")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Some(e) => [text(Some(e)), text(json.get("error_description"))]
            .into_iter()
            .flatten()
            .collect(),
        None => [text(json.get("code")), text(json.get("message"))]
            .into_iter()
            .flatten()
            .collect(),
    };
    let mut joined = parts.join(": ");
    if joined.len() > 200 {
        let cut = (0..=200)
            .rev()
            .find(|i| joined.is_char_boundary(*i))
            .unwrap_or(0);
        joined.truncate(cut);
        joined.push('…');
    }
    joined
}

/// `Retry-After`: seconds, or an HTTP date; at most an hour is believed.
pub fn parse_retry_after(header: &str, now: Timestamp) -> Option<Duration> {
    let header = header.trim();
    let seconds = match header.parse::<u64>() {
        Ok(s) => s,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(header).ok()?;
            (at.timestamp() - now.timestamp()).max(0) as u64
        }
    };
    Some(Duration::from_secs(seconds.min(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone, Utc};

    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn class(status: u16, body: &str) -> Failure {
        classify(
            &Answer {
                status,
                body,
                retry_after: None,
            },
            now(),
            Known::default(),
        )
        .0
    }

    fn graph(code: i64, subcode: Option<i64>) -> Failure {
        let body = match subcode {
            Some(s) => format!(
                r#"{{"error":{{"message":"m","type":"OAuthException","code":{code},"error_subcode":{s}}}}}"#
            ),
            None => {
                format!(r#"{{"error":{{"message":"m","type":"OAuthException","code":{code}}}}}"#)
            }
        };
        class(400, &body)
    }

    #[test]
    fn facebook_instagram_threads_rows() {
        use Reason::*;
        assert_eq!(graph(190, Some(460)), Failure::Reauth(PasswordChanged));
        assert_eq!(graph(190, Some(458)), Failure::Reauth(Revoked));
        assert_eq!(graph(190, Some(467)), Failure::Reauth(Revoked));
        assert_eq!(graph(190, Some(463)), Failure::Reauth(Expired));
        assert_eq!(graph(190, Some(459)), Failure::Reauth(Invalid));
        assert_eq!(graph(190, Some(464)), Failure::Reauth(Invalid));
        assert_eq!(graph(190, None), Failure::Reauth(Invalid));
        assert_eq!(graph(10, None), Failure::Reauth(ScopeMissing));
        assert_eq!(graph(200, None), Failure::Reauth(ScopeMissing));
        assert_eq!(graph(299, None), Failure::Reauth(ScopeMissing));
        for code in [1, 2, 4, 17, 32, 341, 613] {
            assert_eq!(
                graph(code, None),
                Failure::Transient { retry_after: None },
                "{code}"
            );
        }
        // Instagram's revoked access: subcode 33.
        assert_eq!(graph(100, Some(33)), Failure::Reauth(Revoked));
        assert_eq!(graph(12345, None), Failure::Unexpected);
    }

    #[test]
    fn linkedin_instagram_and_tiktok_codes() {
        use Reason::*;
        let li = |code| {
            class(
                401,
                &format!(r#"{{"serviceErrorCode":65601,"code":"{code}","message":"m"}}"#),
            )
        };
        assert_eq!(li("REVOKED_ACCESS_TOKEN"), Failure::Reauth(Revoked));
        assert_eq!(li("EXPIRED_ACCESS_TOKEN"), Failure::Reauth(Expired));
        let tiktok = |code| {
            class(
                400,
                &format!(r#"{{"error":{{"code":"{code}","message":"m","log_id":"x"}}}}"#),
            )
        };
        assert_eq!(
            tiktok("scope_not_authorized"),
            Failure::Reauth(ScopeMissing)
        );
        assert_eq!(
            tiktok("rate_limit_exceeded"),
            Failure::Transient { retry_after: None }
        );
        assert_eq!(
            class(400, r#"{"error":"scope_not_authorized"}"#),
            Failure::Reauth(ScopeMissing)
        );
    }

    #[test]
    fn google_and_x_in_their_own_words() {
        // Google's API errors carry the HTTP status as `code` and are not Graph errors.
        let google = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"reason":"authError"}],"status":"UNAUTHENTICATED"}}"#;
        assert_eq!(class(401, google), Failure::Reauth(Reason::Invalid));
        let quota = r#"{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded","domain":"youtube.quota"}]}}"#;
        assert_eq!(class(403, quota), Failure::Transient { retry_after: None });
        // X answers a dead refresh token with invalid_request.
        let x = r#"{"error":"invalid_request","error_description":"Value passed for the token was invalid."}"#;
        assert_eq!(class(400, x), Failure::Reauth(Reason::Revoked));
        let other = r#"{"error":"invalid_request","error_description":"Missing required parameter [code_verifier]."}"#;
        assert_eq!(class(400, other), Failure::Unexpected);
    }

    #[test]
    fn invalid_grant_is_told_apart() {
        let body = r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
        let answer = Answer {
            status: 400,
            body,
            retry_after: None,
        };
        let with = |known| classify(&answer, now(), known).0;
        assert_eq!(with(Known::default()), Failure::Reauth(Reason::Revoked));
        let past = Known {
            refresh_expires_at: Some(now() - TimeDelta::seconds(1)),
            ..Known::default()
        };
        assert_eq!(with(past), Failure::Reauth(Reason::Expired));
        let future = Known {
            refresh_expires_at: Some(now() + TimeDelta::days(1)),
            ..Known::default()
        };
        assert_eq!(with(future), Failure::Reauth(Reason::Revoked));
        let interrupted = Known {
            interrupted: true,
            ..Known::default()
        };
        assert_eq!(with(interrupted), Failure::Reauth(Reason::Invalid));
    }

    #[test]
    fn other_oauth_errors() {
        assert_eq!(class(401, r#"{"error":"invalid_client"}"#), Failure::Config);
        assert_eq!(
            class(
                401,
                r#"{"error":"unauthorized_client","error_description":"Missing valid authorization header"}"#
            ),
            Failure::Config
        );
        assert_eq!(
            class(400, r#"{"error":"invalid_scope"}"#),
            Failure::Reauth(Reason::ScopeMissing)
        );
        assert_eq!(
            class(401, r#"{"error":"invalid_token"}"#),
            Failure::Reauth(Reason::Invalid)
        );
        assert_eq!(
            class(400, r#"{"error":"temporarily_unavailable"}"#),
            Failure::Transient { retry_after: None }
        );
        assert_eq!(
            class(400, r#"{"error":"something_new"}"#),
            Failure::Unexpected
        );
    }

    #[test]
    fn passing_failures_and_retry_after() {
        let t = |status, retry_after| {
            classify(
                &Answer {
                    status,
                    body: "<html>busy</html>",
                    retry_after,
                },
                now(),
                Known::default(),
            )
        };
        assert_eq!(t(503, None).0, Failure::Transient { retry_after: None });
        assert_eq!(
            t(429, Some("7")).0,
            Failure::Transient {
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert_eq!(
            t(503, Some("Sat, 28 Nov 2026 12:00:30 GMT")).0,
            Failure::Transient {
                retry_after: Some(Duration::from_secs(30))
            }
        );
        assert_eq!(
            t(429, Some("99999")).0,
            Failure::Transient {
                retry_after: Some(Duration::from_secs(3600))
            }
        );
        assert_eq!(t(503, None).1, "HTTP 503: temporarily unavailable");
        // An HTML page, a truncated body, a 2xx without a token: passing, never a crash.
        assert_eq!(t(200, None).0, Failure::Transient { retry_after: None });
        assert_eq!(
            class(200, r#"{"access_tok"#),
            Failure::Transient { retry_after: None }
        );
        assert_eq!(class(401, "<html>"), Failure::Reauth(Reason::Invalid));
        assert_eq!(
            class(403, "<html>"),
            Failure::Transient { retry_after: None }
        );
    }

    #[test]
    fn descriptions_are_short_and_plain() {
        let (_, d) = classify(
            &Answer {
                status: 400,
                body: r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
                retry_after: None,
            },
            now(),
            Known::default(),
        );
        assert_eq!(
            d,
            "HTTP 400: invalid_grant: Token has been expired or revoked."
        );
        let long = format!(
            r#"{{"error":"x","error_description":"{}"}}"#,
            "é".repeat(300)
        );
        let (_, d) = classify(
            &Answer {
                status: 400,
                body: &long,
                retry_after: None,
            },
            now(),
            Known::default(),
        );
        assert!(d.chars().count() < 220, "{d}");
    }

    #[test]
    fn null_fields_are_left_out_of_the_words() {
        let body = serde_json::json!({"error": {"message": "Malformed access token", "type": "OAuthException", "code": 190, "error_subcode": null}});
        assert_eq!(describe(&body), "190: Malformed access token");
    }
}
