//! A custom provider's OpenID Connect ID token, checked as OIDC Core §3.1.3.7 requires
//! before its `sub` names an account: the signature (the provider's JWKS from
//! discovery for RS*/ES*/PS*/EdDSA, the client secret for HS*; never `alg: none`), the
//! issuer, the audience (and `azp` when there are several), `exp`, `iat` and the
//! `nonce` sent with the authorize request. The JOSE work is the `jsonwebtoken`
//! crate's.

use super::http;
use super::Net;
use crate::domain::profile::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::reqwest::blocking::Client as Http;
use serde::Deserialize;
use serde_json::Value;

/// Clock skew allowed between sbctl and the provider, in seconds.
const LEEWAY_SECONDS: u64 = 60;

/// The claims sbctl reads from an ID token or a userinfo answer.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    aud: Option<Value>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    iat: Option<i64>,
}

impl Claims {
    /// A name for people: the preferred username, the name, or the e-mail address.
    pub fn display_name(&self) -> Option<String> {
        self.preferred_username
            .clone()
            .or_else(|| self.name.clone())
            .or_else(|| self.email.clone())
    }
}

/// The verified claims of `jwt`, or why it is refused (never quoting the token).
pub fn verify(
    net: &Net,
    http: &Http,
    jwt: &str,
    nonce: Option<&str>,
    now: Timestamp,
) -> Result<Claims, String> {
    let refused = |why: &str| format!("the ID token is refused: {why}");
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| {
        refused("it is not a signed JWT (an unsigned `alg: none` token is never accepted)")
    })?;
    let Some(issuer) = net.endpoints.issuer.as_deref() else {
        return Err(refused(&format!(
            "its issuer cannot be checked: set `issuer` under [providers.{}]",
            net.name
        )));
    };
    let key = key_for(net, http, &header)?;
    let client_id = &net.credentials().client_id;
    let mut validation = Validation::new(header.alg);
    let trimmed = issuer.trim_end_matches('/');
    validation.set_issuer(&[trimmed.to_owned(), format!("{trimmed}/")]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS;
    let claims = jsonwebtoken::decode::<Claims>(jwt, &key, &validation)
        .map_err(|e| refused(&reason(&e)))?
        .claims;
    // Several audiences: the authorized party must be this client (§3.1.3.7, 5).
    if claims
        .aud
        .as_ref()
        .and_then(Value::as_array)
        .is_some_and(|a| a.len() > 1)
        && claims.azp.as_deref() != Some(client_id)
    {
        return Err(refused(
            "it has several audiences and `azp` is not this client",
        ));
    }
    match claims.iat {
        None => return Err(refused("it has no `iat`")),
        Some(iat) if iat > now.timestamp() + LEEWAY_SECONDS as i64 => {
            return Err(refused("it was issued in the future (`iat`)"))
        }
        Some(_) => {}
    }
    if let Some(sent) = nonce {
        if claims.nonce.as_deref() != Some(sent) {
            return Err(refused(
                "its `nonce` is not the one sent with this sign-in (a replayed or injected token)",
            ));
        }
    }
    Ok(claims)
}

/// The key that must have signed the token: the client secret for HS*, else the
/// provider's published key (JWKS) with the token's `kid`.
fn key_for(net: &Net, http: &Http, header: &jsonwebtoken::Header) -> Result<DecodingKey, String> {
    let refused = |why: String| format!("the ID token is refused: {why}");
    if matches!(
        header.alg,
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    ) {
        let secret = net.credentials().secret_text();
        if secret.is_empty() {
            return Err(refused(
                "it is signed with a client secret, and this client has none".into(),
            ));
        }
        return Ok(DecodingKey::from_secret(secret.as_bytes()));
    }
    let Some(url) = net.endpoints.jwks_url.as_deref() else {
        return Err(refused(format!(
            "its signature cannot be checked: {}'s discovery names no `jwks_uri` (set `issuer` under [providers.{}])",
            net.name, net.name
        )));
    };
    // Through the one capped path, like every answer from a provider.
    let answer = http::send(http.get(url))
        .map_err(|e| refused(format!("the provider's keys cannot be fetched ({e})")))?;
    if answer.status != 200 {
        return Err(refused(format!(
            "the provider's keys cannot be fetched (HTTP {})",
            answer.status
        )));
    }
    let keys: jsonwebtoken::jwk::JwkSet = serde_json::from_str(&answer.body)
        .map_err(|_| refused("the provider's keys (JWKS) cannot be read".into()))?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or_else(|| refused("no key of the provider's matches its `kid`".into()))?;
    DecodingKey::from_jwk(jwk).map_err(|_| refused("the provider's key cannot be used".into()))
}

/// jsonwebtoken's reason, in words for the user.
fn reason(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::InvalidSignature => "its signature does not match the provider's key".into(),
        K::ExpiredSignature => "it has expired (`exp`)".into(),
        K::InvalidIssuer => "it names another issuer (`iss`)".into(),
        K::InvalidAudience => "it was issued to another client (`aud`)".into(),
        K::MissingRequiredClaim(c) => format!("it has no `{c}`"),
        K::InvalidAlgorithm => "its algorithm does not match the provider's key".into(),
        _ => "it cannot be read".into(),
    }
}
