//! Any OAuth 2.0 / OpenID Connect provider from the config file (`[providers.NAME]`):
//! endpoints from OIDC discovery (`issuer`) or given one by one, and the account
//! identified by the OIDC `sub` (userinfo, else the ID token from the token endpoint).

use crate::config::{Provider, ProviderConfig};
use crate::domain::token::Secret;
use crate::error::{Error, Result};
use oauth2::reqwest::blocking::Client as Http;
use serde::Deserialize;

/// Where a provider's endpoints are.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: Option<String>,
    pub introspection_url: Option<String>,
}

/// The account a token belongs to: its stable id, and a name for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    introspection_endpoint: Option<String>,
}

/// Plain http is accepted only on this machine (test servers, SSH tunnels).
fn check_scheme(provider: &str, what: &str, url: &str) -> Result<()> {
    let parsed = oauth2::url::Url::parse(url).map_err(|e| {
        Error::failed(format!(
            "provider {provider}: {what} `{url}` is not a URL ({e})"
        ))
    })?;
    let loopback = matches!(
        parsed.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    );
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(Error::failed(format!(
            "provider {provider}: {what} `{url}` must use https (plain http only on 127.0.0.1)"
        ))),
    }
}

/// The provider's endpoints: explicit ones from the config win over discovered ones.
pub fn endpoints(provider: &Provider, http: &Http, config_path: &str) -> Result<Endpoints> {
    let name = &provider.name;
    let c: &ProviderConfig = &provider.config;
    let discovered = match (&c.issuer, &c.authorize_url, &c.token_url) {
        (_, Some(_), Some(_)) => None,
        (Some(issuer), _, _) => Some(discover(name, issuer, http)?),
        _ => {
            return Err(Error::failed(format!(
                "provider {name} has no endpoints: set `issuer`, or `authorize_url` and `token_url`, under [providers.{name}] in {config_path}"
            )))
        }
    };
    let pick = |explicit: &Option<String>, found: Option<String>| explicit.clone().or(found);
    let d = discovered.as_ref();
    let e = Endpoints {
        authorize_url: pick(
            &c.authorize_url,
            d.map(|d| d.authorization_endpoint.clone()),
        )
        .expect("explicit or discovered"),
        token_url: pick(&c.token_url, d.map(|d| d.token_endpoint.clone()))
            .expect("explicit or discovered"),
        userinfo_url: pick(&c.userinfo_url, d.and_then(|d| d.userinfo_endpoint.clone())),
        introspection_url: pick(
            &c.introspection_url,
            d.and_then(|d| d.introspection_endpoint.clone()),
        ),
    };
    check_scheme(name, "authorize_url", &e.authorize_url)?;
    check_scheme(name, "token_url", &e.token_url)?;
    for (what, url) in [
        ("userinfo_url", &e.userinfo_url),
        ("introspection_url", &e.introspection_url),
    ] {
        if let Some(u) = url {
            check_scheme(name, what, u)?;
        }
    }
    Ok(e)
}

fn discover(name: &str, issuer: &str, http: &Http) -> Result<Discovery> {
    check_scheme(name, "issuer", issuer)?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let failed = |why: String| {
        Error::failed(format!(
            "provider {name}: OIDC discovery at {url} failed ({why})"
        ))
        .hint(format!(
            "check `issuer`, or give `authorize_url` and `token_url` under [providers.{name}]"
        ))
    };
    let response = http
        .get(&url)
        .send()
        .map_err(|e| failed(reqwest_reason(&e)))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status().as_u16())));
    }
    let d: Discovery = response
        .json()
        .map_err(|_| failed("the answer is not an OIDC discovery document".into()))?;
    if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(failed(format!("it names another issuer, `{}`", d.issuer)));
    }
    Ok(d)
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

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl From<Claims> for Account {
    fn from(c: Claims) -> Account {
        Account {
            id: c.sub,
            name: c.preferred_username.or(c.name).or(c.email),
        }
    }
}

/// Who signed in: userinfo's `sub`, else the ID token's (received straight from the
/// token endpoint over TLS, which OIDC Core §3.1.3.7 accepts in place of a signature
/// check), else unknown.
pub fn identify(
    name: &str,
    endpoints: &Endpoints,
    http: &Http,
    access_token: &Secret,
    id_token: Option<&str>,
) -> Result<Option<Account>> {
    if let Some(url) = &endpoints.userinfo_url {
        let failed = |why: String| {
            Error::failed(format!(
                "provider {name}: cannot tell which account signed in: userinfo failed ({why})"
            ))
        };
        let response = http
            .get(url)
            .bearer_auth(access_token.expose())
            .send()
            .map_err(|e| failed(reqwest_reason(&e)))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status().as_u16())));
        }
        let claims: Claims = response
            .json()
            .map_err(|_| failed("the answer has no `sub`".into()))?;
        return Ok(Some(claims.into()));
    }
    Ok(id_token.and_then(id_token_claims).map(Account::from))
}

fn id_token_claims(jwt: &str) -> Option<Claims> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// What talking to a custom provider needs: where it is and who sbctl is to it.
pub struct Access {
    pub endpoints: Endpoints,
    pub credentials: Credentials,
}

/// A custom provider's endpoints and client credentials; each missing piece is an error
/// that names the key to set. The client secret comes from `SBCTL_CLIENT_SECRET_<NAME>`,
/// else the secret store, and is required unless `client_auth = "none"`.
pub fn access(
    provider: &Provider,
    secrets: &dyn crate::secrets::SecretStore,
    http: &Http,
    config_path: &str,
) -> Result<Access> {
    let name = &provider.name;
    let endpoints = endpoints(provider, http, config_path)?;
    let client_id = provider.config.client_id.clone().ok_or_else(|| {
        Error::failed(format!("provider {name} has no client_id")).hint(format!(
            "set client_id under [providers.{name}] in {config_path}"
        ))
    })?;
    let auth = provider.config.client_auth.unwrap_or_default();
    let secret = match &provider.env_secret {
        Some(s) => Some(s.clone()),
        None => secrets.get(&crate::secrets::client_key(name))?,
    };
    if secret.is_none() && auth != crate::config::ClientAuth::None {
        return Err(Error::failed(format!("provider {name} has no client secret")).hint(format!(
            "run `sbctl providers set-secret {name}` (or set {}); for a public client set client_auth = \"none\"",
            Provider::env_var(name)
        )));
    }
    Ok(Access {
        endpoints,
        credentials: Credentials {
            client_id,
            secret,
            auth,
        },
    })
}

/// A provider's answer, as `domain::failure` reads it.
pub struct HttpAnswer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// Largest answer read from a provider.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The client's credentials, as the token and introspection endpoints want them.
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<Secret>,
    pub auth: crate::config::ClientAuth,
}

impl Credentials {
    /// Adds client authentication: HTTP Basic with the id and secret form-encoded
    /// first (RFC 6749 §2.3.1), or both in the body, or the id alone (public client).
    fn apply(
        &self,
        request: oauth2::reqwest::blocking::RequestBuilder,
        form: &mut Vec<(&'static str, String)>,
    ) -> oauth2::reqwest::blocking::RequestBuilder {
        use crate::config::ClientAuth;
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
                form.push(("client_id", self.client_id.clone()));
                form.push(("client_secret", secret.expose().to_owned()));
                request
            }
            _ => {
                form.push(("client_id", self.client_id.clone()));
                request
            }
        }
    }
}

fn send(
    request: oauth2::reqwest::blocking::RequestBuilder,
) -> std::result::Result<HttpAnswer, String> {
    use std::io::Read;
    let response = request.send().map_err(|e| reqwest_reason(&e))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = String::new();
    response
        .take(MAX_BODY_BYTES)
        .read_to_string(&mut body)
        .map_err(|e| format!("reading the answer failed ({e})"))?;
    Ok(HttpAnswer {
        status,
        retry_after,
        body,
    })
}

/// `grant_type=refresh_token` at the token endpoint. `Err` is a connection failure.
pub fn refresh(
    http: &Http,
    token_url: &str,
    client: &Credentials,
    refresh_token: &Secret,
) -> std::result::Result<HttpAnswer, String> {
    let mut form = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", refresh_token.expose().to_owned()),
    ];
    let request = client.apply(http.post(token_url), &mut form);
    send(request.header("Accept", "application/json").form(&form))
}

/// RFC 7662 introspection of a token: answers `{"active": bool}` without using it up.
pub fn introspect(
    http: &Http,
    url: &str,
    client: &Credentials,
    token: &Secret,
    hint: &str,
) -> std::result::Result<HttpAnswer, String> {
    let mut form = vec![
        ("token", token.expose().to_owned()),
        ("token_type_hint", hint.to_owned()),
    ];
    let request = client.apply(http.post(url), &mut form);
    send(request.header("Accept", "application/json").form(&form))
}

/// The OIDC userinfo endpoint with an access token: 200 when the token works.
pub fn userinfo(
    http: &Http,
    url: &str,
    access_token: &Secret,
) -> std::result::Result<HttpAnswer, String> {
    send(http.get(url).bearer_auth(access_token.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_token_subject() {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"sub":"u-1","preferred_username":"ann","aud":"x"}"#)
        );
        let a: Account = id_token_claims(&jwt).unwrap().into();
        assert_eq!(
            a,
            Account {
                id: "u-1".into(),
                name: Some("ann".into())
            }
        );
        assert!(id_token_claims("not.a-jwt").is_none());
        assert!(id_token_claims("").is_none());
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(check_scheme("p", "issuer", "https://id.example.com").is_ok());
        assert!(check_scheme("p", "issuer", "http://127.0.0.1:8080").is_ok());
        assert!(check_scheme("p", "issuer", "http://localhost/x").is_ok());
        assert!(check_scheme("p", "issuer", "http://id.example.com").is_err());
        assert!(check_scheme("p", "issuer", "ftp://127.0.0.1").is_err());
        assert!(check_scheme("p", "issuer", "nonsense").is_err());
    }
}
