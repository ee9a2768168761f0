//! The authorization-code grant with PKCE (RFC 6749, RFC 7636): the authorize URL and
//! the code exchange, in the dialect of each network (TikTok's `client_key` and hex
//! challenge, Facebook's GET exchange, comma-separated scopes). The `oauth2` crate
//! makes the PKCE pair and the state; the token answer is read by `grant_from_json`,
//! which unlike `oauth2`'s typed response does not insist on `token_type` (LinkedIn
//! sends none).

use super::http::{self, Credentials};
use super::Error;
use crate::domain::token::Secret;
use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use serde_json::Value;
use std::collections::BTreeMap;

/// How the PKCE challenge is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkce {
    /// RFC 7636 S256: base64url of the SHA-256 of the verifier.
    S256,
    /// TikTok's Login Kit for Desktop: the SHA-256 of the verifier in hex, as S256.
    S256Hex,
    /// Not sent (Facebook's classic flow relies on `state` and the client secret).
    Off,
}

/// The ways a network's authorize and token endpoints differ from RFC 6749.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// `" "` (RFC 6749) or `","` (Facebook, Instagram, Threads, TikTok, Pinterest).
    pub scope_separator: &'static str,
    pub pkce: Pkce,
    /// Facebook exchanges the code with a GET and every value in the query.
    pub exchange_by_get: bool,
}

impl Dialect {
    pub const RFC: Dialect = Dialect {
        scope_separator: " ",
        pkce: Pkce::S256,
        exchange_by_get: false,
    };
}

/// A provider's client, as the flow needs it.
pub struct ClientConfig {
    pub credentials: Credentials,
    pub authorize_url: String,
    pub token_url: String,
    pub dialect: Dialect,
}

/// One started authorization: what goes to the browser, and what must stay here.
pub struct Authorization {
    pub url: String,
    pub state: Secret,
    verifier: PkceCodeVerifier,
    redirect_uri: String,
}

/// Builds the authorize URL: code flow, PKCE, a random 128-bit `state`.
pub fn authorize(
    config: &ClientConfig,
    redirect_uri: &str,
    scopes: &[String],
    extra: &BTreeMap<String, String>,
) -> Result<Authorization, Error> {
    let mut url = oauth2::url::Url::parse(&config.authorize_url)
        .map_err(|e| Error::AuthorizeUrl(e.to_string()))?;
    let state = CsrfToken::new_random();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair(config.credentials.id_param, &config.credentials.client_id);
        q.append_pair("redirect_uri", redirect_uri);
        if !scopes.is_empty() {
            q.append_pair("scope", &scopes.join(config.dialect.scope_separator));
        }
        q.append_pair("state", state.secret());
        match config.dialect.pkce {
            Pkce::S256 => {
                q.append_pair("code_challenge", challenge.as_str());
                q.append_pair("code_challenge_method", "S256");
            }
            Pkce::S256Hex => {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(verifier.secret().as_bytes());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                q.append_pair("code_challenge", &hex);
                q.append_pair("code_challenge_method", "S256");
            }
            Pkce::Off => {}
        }
        for (name, value) in extra {
            q.append_pair(name, value);
        }
    }
    Ok(Authorization {
        url: url.to_string(),
        state: Secret::new(state.secret().clone()),
        verifier,
        redirect_uri: redirect_uri.to_owned(),
    })
}

impl Authorization {
    /// Exchanges the code (with the PKCE verifier) for the token endpoint's JSON answer.
    pub fn exchange(
        self,
        http: &oauth2::reqwest::blocking::Client,
        config: &ClientConfig,
        code: &Secret,
    ) -> Result<Value, Error> {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.expose().to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
        ];
        if config.dialect.pkce != Pkce::Off {
            form.push(("code_verifier", self.verifier.secret().clone()));
        }
        let answer = if config.dialect.exchange_by_get {
            let c = &config.credentials;
            form.push(("client_id", c.client_id.clone()));
            form.push(("client_secret", c.secret_text().to_owned()));
            http::send(http.get(&config.token_url).query(&form))
        } else {
            http::post_form(http, &config.token_url, &config.credentials, form)
        }
        .map_err(|e| Error::Unreachable(e.reason))?;
        read_token_answer(&answer)
    }
}

/// A token endpoint's answer: its JSON when 200, else the error it names. The body may
/// hold a token, so only named fields of it are ever quoted.
pub fn read_token_answer(answer: &http::HttpAnswer) -> Result<Value, Error> {
    let json = answer.json();
    if answer.status == 200 {
        return json
            .filter(Value::is_object)
            .ok_or_else(|| Error::BadResponse("it is not a JSON object".into()));
    }
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let refused = json.as_ref().and_then(|j| match j.get("error") {
        Some(Value::String(e)) => Some(Error::Refused {
            error: e.clone(),
            description: text(j.get("error_description")),
        }),
        // Graph API: {"error": {"message", "type", "code"}}; TikTok: {"error": {"code", "message"}}
        Some(Value::Object(e)) => Some(Error::Refused {
            error: e
                .get("code")
                .map(|c| c.to_string().trim_matches('"').to_owned())
                .or_else(|| text(e.get("type")))
                .unwrap_or_else(|| "error".into()),
            description: text(e.get("message")),
        }),
        // Instagram: {"error_type": "OAuthException", "code": 400, "error_message": ...}
        _ => j.get("error_message").map(|m| Error::Refused {
            error: text(j.get("error_type")).unwrap_or_else(|| "error".into()),
            description: m.as_str().map(str::to_owned),
        }),
    });
    Err(refused.unwrap_or_else(|| {
        Error::BadResponse(format!("HTTP {} without an OAuth error", answer.status))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::http::ClientAuth;

    fn config(auth: ClientAuth) -> ClientConfig {
        ClientConfig {
            credentials: Credentials {
                client_id: "my app".into(),
                secret: Some(Secret::new("s3cret".into())),
                auth,
                id_param: "client_id",
            },
            authorize_url: "https://id.example.com/authorize?tenant=a".into(),
            token_url: "https://id.example.com/token".into(),
            dialect: Dialect::RFC,
        }
    }

    fn params(url: &str) -> Vec<(String, String)> {
        oauth2::url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn authorize_url_carries_pkce_state_scopes_and_extras() {
        let extra = BTreeMap::from([("prompt".to_owned(), "consent".to_owned())]);
        let a = authorize(
            &config(ClientAuth::Basic),
            "http://127.0.0.1:8765/callback",
            &["openid".into(), "offline_access".into()],
            &extra,
        )
        .unwrap();
        let p = params(&a.url);
        let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert!(a
            .url
            .starts_with("https://id.example.com/authorize?tenant=a&"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("my app"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:8765/callback"));
        assert_eq!(get("scope"), Some("openid offline_access"));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge").map(str::len),
            Some(43),
            "SHA-256, base64url"
        );
        assert_eq!(get("prompt"), Some("consent"));
        assert_eq!(get("state"), Some(a.state.expose()));
        // 16 random bytes, base64url: 128 bits.
        assert!(a.state.expose().len() >= 22, "{}", a.state.expose().len());
        assert!(
            !a.url.contains("s3cret"),
            "the client secret never goes to the browser"
        );
    }

    #[test]
    fn dialects_change_names_separators_and_challenge() {
        let mut c = config(ClientAuth::Post);
        c.credentials.id_param = "client_key";
        c.dialect = Dialect {
            scope_separator: ",",
            pkce: Pkce::S256Hex,
            exchange_by_get: false,
        };
        let a = authorize(
            &c,
            "http://127.0.0.1:1/cb/",
            &["a".into(), "b".into()],
            &BTreeMap::new(),
        )
        .unwrap();
        let p = params(&a.url);
        let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("client_key"), Some("my app"));
        assert_eq!(get("client_id"), None);
        assert_eq!(get("scope"), Some("a,b"));
        let challenge = get("code_challenge").unwrap();
        assert_eq!(challenge.len(), 64, "hex of SHA-256");
        assert!(challenge.chars().all(|c| c.is_ascii_hexdigit()));
        c.dialect.pkce = Pkce::Off;
        let a = authorize(&c, "http://127.0.0.1:1/cb/", &[], &BTreeMap::new()).unwrap();
        assert!(!a.url.contains("code_challenge"));
    }

    #[test]
    fn each_authorization_is_fresh() {
        let make = || {
            authorize(
                &config(ClientAuth::None),
                "http://127.0.0.1:1/cb",
                &[],
                &BTreeMap::new(),
            )
            .unwrap()
        };
        let (a, b) = (make(), make());
        assert_ne!(a.state, b.state);
        assert_ne!(a.url, b.url);
    }

    #[test]
    fn bad_urls_are_named() {
        let mut c = config(ClientAuth::Post);
        c.authorize_url = "not a url".into();
        let err = authorize(&c, "http://127.0.0.1:1/cb", &[], &BTreeMap::new())
            .err()
            .unwrap();
        assert!(err.to_string().contains("authorize URL"), "{err}");
    }

    #[test]
    fn token_errors_are_read_in_both_shapes() {
        let answer = |status, body: &str| http::HttpAnswer {
            status,
            retry_after: None,
            body: body.into(),
        };
        let e = read_token_answer(&answer(
            400,
            r#"{"error":"invalid_grant","error_description":"used"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.to_string(), "invalid_grant (used)");
        let e = read_token_answer(&answer(400, r#"{"error":{"message":"Invalid verification code","type":"OAuthException","code":100}}"#))
            .unwrap_err();
        assert_eq!(e.to_string(), "100 (Invalid verification code)");
        let e = read_token_answer(&answer(502, "<html>")).unwrap_err();
        assert!(matches!(e, Error::BadResponse(_)));
        assert!(read_token_answer(&answer(200, "[1]")).is_err());
    }
}
