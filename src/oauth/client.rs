//! The authorization-code grant with PKCE (RFC 6749, RFC 7636), by the `oauth2` crate.

use crate::config::ClientAuth;
use crate::domain::profile::Timestamp;
use crate::domain::token::{grant_from_json, Grant, Secret};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every field of a token response beyond the standard ones, kept so that one parser
/// (`grant_from_json`) reads them all. `Debug` does not show them: they may hold an
/// `id_token`.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct OtherFields {
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for OtherFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OtherFields({} fields)", self.fields.len())
    }
}

impl ExtraTokenFields for OtherFields {}

type Response = StandardTokenResponse<OtherFields, BasicTokenType>;
type Client = oauth2::Client<
    BasicErrorResponse,
    Response,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A provider's client, as the flow needs it.
pub struct ClientConfig {
    pub client_id: String,
    pub secret: Option<Secret>,
    pub auth: ClientAuth,
    pub authorize_url: String,
    pub token_url: String,
}

/// One started authorization: what goes to the browser, and what must stay here.
pub struct Authorization {
    pub url: String,
    pub state: Secret,
    verifier: PkceCodeVerifier,
    client: Client,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The provider answered with an OAuth error.
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

fn url_error(what: &str, e: impl std::fmt::Display) -> String {
    format!("the {what} is not a valid URL ({e})")
}

/// Builds the authorize URL: code flow, PKCE S256, a random 128-bit `state`.
pub fn authorize(
    config: &ClientConfig,
    redirect_uri: &str,
    scopes: &[String],
    extra: &BTreeMap<String, String>,
) -> Result<Authorization, String> {
    let mut client: Client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(config.authorize_url.clone())
                .map_err(|e| url_error("authorize URL", e))?,
        )
        .set_token_uri(
            TokenUrl::new(config.token_url.clone()).map_err(|e| url_error("token URL", e))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| url_error("redirect URI", e))?,
        )
        .set_auth_type(match config.auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post | ClientAuth::None => AuthType::RequestBody,
        });
    if let (Some(secret), false) = (&config.secret, config.auth == ClientAuth::None) {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge);
    for (name, value) in extra {
        request = request.add_extra_param(name.clone(), value.clone());
    }
    let (url, state) = request.url();
    Ok(Authorization {
        url: url.to_string(),
        state: Secret::new(state.secret().clone()),
        verifier,
        client,
    })
}

impl Authorization {
    /// Exchanges the code (with the PKCE verifier) for tokens.
    pub fn exchange(
        self,
        http: &oauth2::reqwest::blocking::Client,
        code: &Secret,
        now: Timestamp,
    ) -> Result<(Grant, OtherFields), ExchangeError> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
            .set_pkce_verifier(self.verifier)
            .request(http)
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => ExchangeError::Refused {
                    error: r.error().to_string(),
                    description: r.error_description().cloned(),
                },
                RequestTokenError::Request(e) => ExchangeError::Unreachable(
                    std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string()),
                ),
                // The body may hold a token: name the field at fault, never the body.
                RequestTokenError::Parse(e, _body) => {
                    ExchangeError::BadResponse(format!("at `{}`", e.path()))
                }
                RequestTokenError::Other(e) => ExchangeError::BadResponse(e),
            })?;
        let value = serde_json::to_value(&response).expect("a token response serializes");
        let grant = grant_from_json(&value, now).map_err(ExchangeError::BadResponse)?;
        Ok((grant, response.extra_fields().clone()))
    }
}

impl OtherFields {
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(|v| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(auth: ClientAuth) -> ClientConfig {
        ClientConfig {
            client_id: "my app".into(),
            secret: Some(Secret::new("s3cret".into())),
            auth,
            authorize_url: "https://id.example.com/authorize?tenant=a".into(),
            token_url: "https://id.example.com/token".into(),
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
        c.token_url = "not a url".into();
        let err = authorize(&c, "http://127.0.0.1:1/cb", &[], &BTreeMap::new())
            .err()
            .unwrap();
        assert!(err.contains("token URL"), "{err}");
    }
}
