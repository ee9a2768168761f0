//! Tokens as they arrive (a raw access token, or a JSON token response) and as they are
//! kept in the secret store. Secret values never appear in `Debug` output or in errors.

use super::Timestamp;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A secret string. `Debug` prints `<redacted>`; only `expose` gives the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What the secret store keeps for one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// A token and what its issuer said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub tokens: TokenSet,
    pub expires_at: Option<Timestamp>,
    /// The answer said the access token never expires (`expires_at: 0`); without a
    /// deadline and without this, its expiry is unknown.
    pub expires_never: bool,
    pub refresh_expires_at: Option<Timestamp>,
    /// `None` when the response did not say which scopes were granted.
    pub scopes: Option<Vec<String>>,
    /// What was odd in the answer and how it was read, for `-v` (never a token).
    pub notes: Vec<String>,
}

/// Longest lifetime believed: ten years. Longer is a unit mistake (ms for s).
const MAX_LIFETIME_SECONDS: i64 = 10 * 366 * 86_400;
/// Largest token accepted: JWTs run to a few kilobytes, nothing real to 64 KiB.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// What `--with-token` reads from stdin as a grant: a raw access token on one line, or
/// a JSON token response (RFC 6749 §5.1 fields, see `grant_from_json`); for tests.
#[cfg(test)]
fn parse_token_input(text: &str, now: Timestamp) -> Result<Grant, String> {
    grant_from_json(&token_input(text)?, now)
}

/// What `--with-token` read as a token response: the JSON one given, or a raw access
/// token on one line as `{"access_token": …}`.
pub fn token_input(text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("no token on stdin: pipe a raw access token or a JSON token response".into());
    }
    if trimmed.starts_with('{') {
        return serde_json::from_str(trimmed).map_err(|e| {
            format!(
                "stdin is not valid JSON (line {}, column {}): give a JSON token response or a raw token",
                e.line(),
                e.column()
            )
        });
    }
    let token = check_token_text("the token on stdin", trimmed)?;
    Ok(serde_json::json!({ "access_token": token.expose() }))
}

/// Reads a token response object: `access_token` (required), `refresh_token`,
/// `token_type`, `expires_in` | `expires_at`, `refresh_token_expires_in` |
/// `refresh_token_expires_at`, `scope`. Other fields, which networks add freely, are
/// ignored. Times are Unix seconds or RFC 3339; `expires_at: 0` means "never", as in
/// Facebook's `debug_token`. Error messages name fields, never their values.
pub fn grant_from_json(value: &Value, now: Timestamp) -> Result<Grant, String> {
    let obj = value
        .as_object()
        .ok_or("a token response must be a JSON object")?;
    let access = match obj.get("access_token") {
        Some(Value::String(s)) => check_token_text("`access_token`", s)?,
        Some(_) => return Err("`access_token` must be a string".into()),
        None => return Err("the token response has no `access_token`".into()),
    };
    let refresh = match obj.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(check_token_text("`refresh_token`", s)?),
        Some(_) => return Err("`refresh_token` must be a string".into()),
    };
    let token_type = optional_string(obj, "token_type")?;
    let mut notes = Vec::new();
    let expires_at = deadline(obj, ("expires_in", "expires_at"), now, &mut notes)?;
    let expires_never =
        expires_at.is_none() && obj.get("expires_at").and_then(parse_time) == Some(None);
    let refresh_expires_at = deadline(
        obj,
        ("refresh_token_expires_in", "refresh_token_expires_at"),
        now,
        &mut notes,
    )?;
    let scopes = match obj.get("scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(split_scopes(s)),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or("`scope` must be a string or an array of strings")?,
        ),
        Some(_) => return Err("`scope` must be a string or an array of strings".into()),
    };
    Ok(Grant {
        tokens: TokenSet {
            access_token: access,
            refresh_token: refresh,
            token_type,
        },
        expires_at,
        expires_never,
        refresh_expires_at,
        scopes,
        notes,
    })
}

/// The tokens of an answer that cannot be read as a whole: a new refresh token must be
/// kept whatever else is odd, since a rotating provider has already retired the old
/// one. `None` when the answer has no usable `refresh_token`.
pub fn salvage(value: &Value) -> Option<(Option<Secret>, Secret)> {
    let text = |key: &str| {
        value
            .get(key)?
            .as_str()
            .and_then(|s| check_token_text(key, s).ok())
    };
    Some((text("access_token"), text("refresh_token")?))
}

/// Scopes come space-separated (RFC 6749) or comma-separated (Facebook, TikTok).
pub fn split_scopes(text: &str) -> Vec<String> {
    text.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn check_token_text(what: &str, text: &str) -> Result<Secret, String> {
    if text.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if text.len() > MAX_TOKEN_BYTES {
        return Err(format!("{what} is longer than 64 KiB"));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{what} contains spaces or line breaks: give one token, or a JSON token response"
        ));
    }
    Ok(Secret::new(text.to_owned()))
}

fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

/// How far a relative and an absolute deadline may differ and still agree (clock skew,
/// the answer's time in transit).
const AGREE_WITHIN_SECONDS: i64 = 60;

/// A deadline given relatively (`*_in`, seconds from now), absolutely (`*_at`), or both
/// (Pinterest's refresh answer): the absolute one is preferred; when the two disagree
/// by more than a minute the earlier wins, and `notes` says so.
fn deadline(
    obj: &Map<String, Value>,
    (in_key, at_key): (&str, &str),
    now: Timestamp,
    notes: &mut Vec<String>,
) -> Result<Option<Timestamp>, String> {
    let relative = match obj.get(in_key) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let seconds =
                integer(v).ok_or(format!("`{in_key}` must be a whole number of seconds"))?;
            if !(0..=MAX_LIFETIME_SECONDS).contains(&seconds) {
                return Err(format!(
                    "`{in_key}` is out of range (0 to ten years in seconds)"
                ));
            }
            Some(now + TimeDelta::seconds(seconds))
        }
    };
    let absolute = match obj.get(at_key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_time(v).ok_or(format!(
            "`{at_key}` must be Unix seconds or an RFC 3339 time"
        ))?),
    };
    match (relative, absolute) {
        (Some(r), Some(Some(a))) if (r - a).num_seconds().abs() > AGREE_WITHIN_SECONDS => {
            notes.push(format!(
                "`{in_key}` and `{at_key}` disagree by {}s; the earlier is used",
                (r - a).num_seconds().abs()
            ));
            Ok(Some(r.min(a)))
        }
        (_, Some(a)) => Ok(a),
        (r, None) => Ok(r),
    }
}

/// Whole numbers, also when sent as strings (some networks do).
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `Some(None)` is "never" (`0`), `None` is "not a time".
pub fn parse_time(v: &Value) -> Option<Option<Timestamp>> {
    match v {
        Value::Number(n) => match n.as_i64()? {
            0 => Some(None),
            s if s > 0 && s < 100_000_000_000 => DateTime::from_timestamp(s, 0).map(Some),
            _ => None,
        },
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| Some(t.with_timezone(&Utc))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn an_expiry_of_zero_is_never_and_none_is_unknown() {
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let never = grant_from_json(&json!({"access_token": "a", "expires_at": 0}), now).unwrap();
        assert_eq!((never.expires_at, never.expires_never), (None, true));
        let unknown = grant_from_json(&json!({"access_token": "a"}), now).unwrap();
        assert_eq!((unknown.expires_at, unknown.expires_never), (None, false));
        let known = grant_from_json(&json!({"access_token": "a", "expires_in": 60}), now).unwrap();
        assert!(known.expires_at.is_some() && !known.expires_never);
    }

    fn now() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    #[test]
    fn raw_token_on_one_line() {
        let g = parse_token_input("  EAAB.token-value_1\n", now()).unwrap();
        assert_eq!(g.tokens.access_token.expose(), "EAAB.token-value_1");
        assert_eq!(g.expires_at, None);
        assert_eq!(g.scopes, None);
    }

    #[test]
    fn raw_input_with_two_lines_or_nothing_is_refused() {
        assert!(parse_token_input("a\nb", now()).is_err());
        assert!(parse_token_input("a b", now()).is_err());
        assert!(parse_token_input(" \n", now())
            .unwrap_err()
            .contains("no token"));
    }

    #[test]
    fn json_token_response_fields() {
        let text = r#"{"access_token":"at","refresh_token":"rt","token_type":"Bearer",
            "expires_in":3600,"refresh_token_expires_in":"86400","scope":"a b,c","open_id":"x"}"#;
        let g = parse_token_input(text, now()).unwrap();
        assert_eq!(g.tokens.refresh_token.unwrap().expose(), "rt");
        assert_eq!(g.expires_at, Some(now() + TimeDelta::hours(1)));
        assert_eq!(g.refresh_expires_at, Some(now() + TimeDelta::days(1)));
        assert_eq!(g.scopes.unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn absolute_times_and_never() {
        let g = grant_from_json(
            &json!({"access_token":"at","expires_at":"2027-01-01T00:00:00Z","scope":["x"]}),
            now(),
        )
        .unwrap();
        assert_eq!(
            g.expires_at,
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        let g = grant_from_json(&json!({"access_token":"at","expires_at":0}), now()).unwrap();
        assert_eq!(g.expires_at, None);
        let g =
            grant_from_json(&json!({"access_token":"at","expires_at":1800000000}), now()).unwrap();
        assert_eq!(g.expires_at.unwrap().timestamp(), 1_800_000_000);
    }

    #[test]
    fn relative_and_absolute_deadlines_together() {
        let at = now() + TimeDelta::days(60);
        // Pinterest's refresh answer gives both; the absolute one is preferred.
        let g = grant_from_json(
            &json!({"access_token":"a","refresh_token_expires_in":5_184_030,
                    "refresh_token_expires_at":at.timestamp()}),
            now(),
        )
        .unwrap();
        assert_eq!(g.refresh_expires_at, Some(at));
        assert!(g.notes.is_empty());
        // Disagreeing by more than a minute: the earlier, and a note.
        let g = grant_from_json(
            &json!({"access_token":"a","expires_in":3600,"expires_at":at.timestamp()}),
            now(),
        )
        .unwrap();
        assert_eq!(g.expires_at, Some(now() + TimeDelta::hours(1)));
        assert_eq!(g.notes.len(), 1);
        assert!(g.notes[0].contains("disagree"), "{:?}", g.notes);
        // "Never" beside a relative time: the absolute one is preferred.
        let g = grant_from_json(
            &json!({"access_token":"a","expires_in":60,"expires_at":0}),
            now(),
        )
        .unwrap();
        assert_eq!(g.expires_at, None);
    }

    #[test]
    fn a_new_refresh_token_is_found_in_an_unreadable_answer() {
        let odd = json!({"access_token":"a","refresh_token":"r2","expires_in":"soon"});
        assert!(grant_from_json(&odd, now()).is_err());
        let (access, refresh) = salvage(&odd).unwrap();
        assert_eq!(access.unwrap().expose(), "a");
        assert_eq!(refresh.expose(), "r2");
        assert!(salvage(&json!({"access_token":"a"})).is_none());
        assert!(salvage(&json!({"refresh_token":"bad token"})).is_none());
        assert!(salvage(&json!({"refresh_token":"r3"})).unwrap().0.is_none());
    }

    #[test]
    fn bad_responses_name_the_field_but_never_the_value() {
        let cases = [
            (json!({"token":"s3cr3t"}), "no `access_token`"),
            (json!({"access_token":""}), "`access_token` is empty"),
            (
                json!({"access_token":42}),
                "`access_token` must be a string",
            ),
            (
                json!({"access_token":"s3cr3t","expires_in":"soon"}),
                "`expires_in` must be",
            ),
            (
                json!({"access_token":"s3cr3t","expires_in":-5}),
                "out of range",
            ),
            (
                json!({"access_token":"s3cr3t","expires_in":1e12}),
                "`expires_in` must be",
            ),
            (
                json!({"access_token":"s3cr3t","expires_at":"tomorrow"}),
                "`expires_at` must be",
            ),
            (
                json!({"access_token":"s3cr3t","refresh_token":"a b"}),
                "`refresh_token` contains",
            ),
            (
                json!({"access_token":"s3cr3t","scope":[1]}),
                "`scope` must be",
            ),
            (json!(["s3cr3t"]), "JSON object"),
        ];
        for (value, expected) in cases {
            let err = grant_from_json(&value, now()).unwrap_err();
            assert!(err.contains(expected), "{value}: {err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
        let err = parse_token_input("{\"access_token\": \"s3cr3t\"", now()).unwrap_err();
        assert!(
            err.contains("not valid JSON") && !err.contains("s3cr3t"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_hides_tokens() {
        let g = parse_token_input(
            r#"{"access_token":"s3cr3t","refresh_token":"r3fr3sh"}"#,
            now(),
        )
        .unwrap();
        let shown = format!("{g:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("r3fr3sh"),
            "{shown}"
        );
        assert!(shown.contains("<redacted>"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::{json, Value};

        fn value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(|f| json!(f)),
                "\\PC{0,40}".prop_map(Value::from),
                prop::collection::vec("[a-z.:/ ,]{0,12}", 0..4).prop_map(|v| json!(v)),
            ]
        }

        fn key() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "expires_in",
                "expires_at",
                "refresh_token",
                "scope",
                "token_type",
                "refresh_token_expires_in",
                "refresh_token_expires_at",
                "id_token",
                "other",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            /// Any token answer is read or refused, and a refusal never quotes the token.
            #[test]
            fn token_answers_never_panic_nor_echo_the_token(
                token in "[A-Za-z0-9._~-]{12,40}",
                fields in prop::collection::vec((key(), value()), 0..8),
            ) {
                let mut obj = serde_json::Map::new();
                obj.insert("access_token".into(), json!(token));
                for (k, v) in fields {
                    obj.insert(k.into(), v);
                }
                let now = chrono::Utc::now();
                match grant_from_json(&Value::Object(obj), now) {
                    Ok(g) => prop_assert_eq!(g.tokens.access_token.expose(), token.as_str()),
                    Err(e) => prop_assert!(!e.contains(&token), "{}", e),
                }
            }

            #[test]
            fn any_json_is_read_or_refused(v in value()) {
                let _ = grant_from_json(&v, chrono::Utc::now());
            }
        }
    }
}
