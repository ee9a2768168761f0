//! The networks that follow RFC 6749 closely, each with its own paths, names, rules
//! and error bodies, from their documentation:
//! X (docs.x.com: OAuth 2.0 Authorization Code Flow with PKCE; /2/users/me),
//! LinkedIn (learn.microsoft.com/linkedin: Authorization Code Flow, Programmatic
//! Refresh Tokens, Token Introspection, Sign In with LinkedIn using OpenID Connect),
//! Google for YouTube (developers.google.com/identity/protocols/oauth2/native-app;
//! YouTube Data API channels.list), TikTok (developers.tiktok.com: Login Kit for
//! Desktop, Manage User Access Tokens, Get User Info) and Pinterest
//! (developers.pinterest.com/docs/getting-started/authentication, /v5/user_account).
//! Also a custom provider that introspects access tokens only, as IdentityServer 4
//! and 5 do (docs.duendesoftware.com/identityserver/v5/reference/endpoints/introspection:
//! `POST /connect/introspect` with Basic authentication answers `{"active": true,
//! "sub": "123"}`, and `{"active": false}` for "unknown or expired tokens", which a
//! refresh token is to it; refresh tokens are one-time-only by default), like
//! Doorkeeper and oauthlib-based servers.

use super::{json_resp, Dead, Network, Req, Resp, State};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    X,
    LinkedIn,
    Google,
    TikTok,
    Pinterest,
    IdentityServer,
}

pub struct OAuthNetwork {
    pub which: Which,
    pub authorize_path: &'static str,
    pub token_path: &'static str,
    pub revoke_path: Option<&'static str>,
    pub introspect_path: Option<&'static str>,
    pub identity_path: &'static str,
    client_param: &'static str,
    separator: char,
    pkce_required: bool,
    hex_challenge: bool,
    basic_auth: bool,
    code_max_age: i64,
    pub access_ttl: i64,
    pub refresh_ttl: Option<i64>,
    /// The refresh token is single-use: each renewal returns the next one.
    rotate: bool,
    /// The scope names its documentation lists.
    scopes: &'static [&'static str],
}

pub const X: OAuthNetwork = OAuthNetwork {
    which: Which::X,
    authorize_path: "/i/oauth2/authorize",
    token_path: "/2/oauth2/token",
    revoke_path: Some("/2/oauth2/revoke"),
    introspect_path: None,
    identity_path: "/2/users/me",
    client_param: "client_id",
    separator: ' ',
    pkce_required: true,
    hex_challenge: false,
    basic_auth: true,
    // "the authorization code ... is valid for 30 seconds"
    code_max_age: 30,
    access_ttl: 7_200,
    refresh_ttl: None,
    rotate: true,
    // docs.x.com, OAuth 2.0 Authorization Code Flow with PKCE: Scopes.
    scopes: &[
        "tweet.read",
        "tweet.write",
        "tweet.moderate.write",
        "users.email",
        "users.read",
        "follows.read",
        "follows.write",
        "offline.access",
        "space.read",
        "mute.read",
        "mute.write",
        "like.read",
        "like.write",
        "list.read",
        "list.write",
        "block.read",
        "block.write",
        "bookmark.read",
        "bookmark.write",
        "media.write",
        "dm.read",
        "dm.write",
    ],
};

pub const LINKEDIN: OAuthNetwork = OAuthNetwork {
    which: Which::LinkedIn,
    authorize_path: "/oauth/v2/authorization",
    token_path: "/oauth/v2/accessToken",
    revoke_path: Some("/oauth/v2/revoke"),
    introspect_path: Some("/oauth/v2/introspectToken"),
    identity_path: "/v2/userinfo",
    client_param: "client_id",
    separator: ' ',
    pkce_required: false,
    hex_challenge: false,
    basic_auth: false,
    code_max_age: 1_800,
    access_ttl: 5_184_000,
    refresh_ttl: Some(31_536_000),
    rotate: false,
    // learn.microsoft.com/linkedin: Sign In with LinkedIn using OpenID Connect, Share
    // on LinkedIn, Community Management.
    scopes: &[
        "openid",
        "profile",
        "email",
        "w_member_social",
        "r_organization_social",
        "w_organization_social",
        "rw_organization_admin",
    ],
};

pub const GOOGLE: OAuthNetwork = OAuthNetwork {
    which: Which::Google,
    authorize_path: "/o/oauth2/v2/auth",
    token_path: "/token",
    revoke_path: Some("/revoke"),
    introspect_path: None,
    identity_path: "/youtube/v3/channels",
    client_param: "client_id",
    separator: ' ',
    pkce_required: false,
    hex_challenge: false,
    basic_auth: false,
    code_max_age: 600,
    access_ttl: 3_599,
    refresh_ttl: None,
    rotate: false,
    // developers.google.com/youtube/v3/guides/auth/installed-apps: Scopes; and the
    // OpenID Connect ones.
    scopes: &[
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.channel-memberships.creator",
        "https://www.googleapis.com/auth/youtube.force-ssl",
        "https://www.googleapis.com/auth/youtube.readonly",
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtubepartner",
        "https://www.googleapis.com/auth/youtubepartner-channel-audit",
        "openid",
        "email",
        "profile",
    ],
};

pub const TIKTOK: OAuthNetwork = OAuthNetwork {
    which: Which::TikTok,
    authorize_path: "/v2/auth/authorize/",
    token_path: "/v2/oauth/token/",
    revoke_path: Some("/v2/oauth/revoke/"),
    introspect_path: None,
    identity_path: "/v2/user/info/",
    client_param: "client_key",
    separator: ',',
    pkce_required: true,
    hex_challenge: true,
    basic_auth: false,
    code_max_age: 600,
    // developers.tiktok.com/docs/en/oauth-user-access-token-management, "Token
    // lifetimes": access 2 hours, refresh 180 days (older pages said 24 h and 365 days);
    // /docs/en/oauth-refresh-a-user-access-token: "Refresh tokens are rotated".
    access_ttl: 7_200,
    refresh_ttl: Some(15_552_000),
    rotate: true,
    // developers.tiktok.com/doc/scopes-overview.
    scopes: &[
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
        "video.list",
        "video.publish",
        "video.upload",
    ],
};

pub const PINTEREST: OAuthNetwork = OAuthNetwork {
    which: Which::Pinterest,
    authorize_path: "/oauth/",
    token_path: "/v5/oauth/token",
    revoke_path: None,
    introspect_path: None,
    identity_path: "/v5/user_account",
    client_param: "client_id",
    separator: ',',
    pkce_required: false,
    hex_challenge: false,
    basic_auth: true,
    code_max_age: 600,
    access_ttl: 2_592_000,
    refresh_ttl: Some(5_184_000),
    rotate: false,
    // developers.pinterest.com/docs/getting-started/scopes.
    scopes: &[
        "ads:read",
        "ads:write",
        "billing:read",
        "billing:write",
        "biz_access:read",
        "biz_access:write",
        "boards:read",
        "boards:read_secret",
        "boards:write",
        "boards:write_secret",
        "catalogs:read",
        "catalogs:write",
        "pins:read",
        "pins:read_secret",
        "pins:write",
        "pins:write_secret",
        "user_accounts:read",
        "user_accounts:write",
    ],
};

pub const IDENTITY_SERVER: OAuthNetwork = OAuthNetwork {
    which: Which::IdentityServer,
    authorize_path: "/connect/authorize",
    token_path: "/connect/token",
    revoke_path: Some("/connect/revocation"),
    introspect_path: Some("/connect/introspect"),
    identity_path: "/connect/userinfo",
    client_param: "client_id",
    separator: ' ',
    pkce_required: false,
    hex_challenge: false,
    basic_auth: true,
    // AuthorizationCodeLifetime: 300 seconds.
    code_max_age: 300,
    // AccessTokenLifetime: 3600; AbsoluteRefreshTokenLifetime: 30 days.
    access_ttl: 3_600,
    refresh_ttl: Some(2_592_000),
    // RefreshTokenUsage: OneTimeOnly.
    rotate: true,
    // The scopes such a server is configured with: OpenID Connect's, and an API's.
    scopes: &["openid", "profile", "email", "offline_access", "api"],
};

impl OAuthNetwork {
    /// The token endpoint's error in this network's words.
    fn token_error(&self, status: u16, error: &str, description: &str) -> Resp {
        match self.which {
            // pinterest/api-description v5/openapi.yaml: `/oauth/token` answers a failure
            // with its `default` response, the `Error` schema (`code` integer, `message`
            // string, both required), and gives no status; the spec's own example of an
            // authentication failure (`UnauthorizedAccess`, HTTP 401) is this one.
            Which::Pinterest => {
                json_resp(401, json!({"code": 2, "message": "Authentication failed."}))
            }
            // developers.tiktok.com/doc/oauth-error-handling: the error struct is `error`,
            // `error_description` and `log_id`.
            Which::TikTok => json_resp(
                status,
                json!({"error": error, "error_description": description, "log_id": "202611280000000000"}),
            ),
            _ => json_resp(
                status,
                json!({"error": error, "error_description": description}),
            ),
        }
    }

    /// An API call's answer to a dead or unknown access token.
    fn api_error(&self, why: Dead) -> Resp {
        match self.which {
            Which::X => json_resp(
                401,
                json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
            ),
            Which::LinkedIn => {
                let (code, service, message) = match why {
                    Dead::Expired => (
                        "EXPIRED_ACCESS_TOKEN",
                        65602,
                        "The token used in the request has expired",
                    ),
                    _ => (
                        "REVOKED_ACCESS_TOKEN",
                        65601,
                        "The token used in the request has been revoked by the user",
                    ),
                };
                json_resp(
                    401,
                    json!({"serviceErrorCode": service, "code": code, "message": message, "status": 401}),
                )
            }
            Which::Google => json_resp(
                401,
                json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.", "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError"}], "status": "UNAUTHENTICATED"}}),
            ),
            Which::TikTok => json_resp(
                401,
                json!({"data": {}, "error": {"code": "access_token_invalid", "message": "The access token is invalid or not found in the request.", "log_id": "202611280000000001"}}),
            ),
            Which::Pinterest => {
                json_resp(401, json!({"code": 2, "message": "Authentication failed."}))
            }
            // The userinfo endpoint: 401 with a WWW-Authenticate header, no body.
            Which::IdentityServer => Resp {
                status: 401,
                body: String::new(),
                headers: vec![(
                    "WWW-Authenticate".into(),
                    "Bearer error=\"invalid_token\"".into(),
                )],
            },
        }
    }

    fn client_ok(&self, s: &State, r: &Req) -> bool {
        if self.basic_auth {
            // X also serves public clients, which send only their client_id.
            s.basic_client(r)
                || (self.which == Which::X
                    && s.client_secret.is_empty()
                    && r.get("client_id") == Some(s.client_id.as_str()))
        } else {
            s.form_client(r, self.client_param)
        }
    }

    fn client_refused(&self) -> Resp {
        match self.which {
            Which::X => self.token_error(
                401,
                "unauthorized_client",
                "Missing valid authorization header",
            ),
            _ => self.token_error(401, "invalid_client", "Client authentication failed"),
        }
    }

    /// The token answer: this network's fields for `access` and `refresh`.
    /// The token answer, field for field as each network's documentation shows it.
    /// Pinterest (API v5 OpenAPI, `POST /oauth/token`): the code answer
    /// `OauthAccessTokenResponseCode` has `response_type: "authorization_code"` and
    /// `refresh_token_expires_in`; the continuous-refresh answer
    /// `OauthAccessTokenResponseEverlastingRefresh` has `response_type: "refresh_token"`
    /// and both `refresh_token_expires_in` and `refresh_token_expires_at`;
    /// `token_type` is "bearer" in both.
    fn grant(
        &self,
        s: &State,
        access: &str,
        (refresh, refreshing): (Option<&str>, bool),
        scopes: &[String],
        user: &str,
    ) -> Value {
        let sep = if self.separator == ',' { "," } else { " " };
        let mut v = json!({"access_token": access, "expires_in": self.access_ttl, "scope": scopes.join(sep)});
        if self.which != Which::LinkedIn {
            v["token_type"] = json!(if matches!(self.which, Which::X | Which::Pinterest) {
                "bearer"
            } else {
                "Bearer"
            });
        }
        if let Some(rt) = refresh {
            v["refresh_token"] = json!(rt);
            let left = s
                .tokens
                .get(rt)
                .and_then(|t| t.expires)
                .map(|e| e - s.now());
            match self.which {
                Which::TikTok => v["refresh_expires_in"] = json!(left),
                Which::LinkedIn | Which::Pinterest => v["refresh_token_expires_in"] = json!(left),
                _ => {}
            }
        }
        if self.which == Which::TikTok {
            v["open_id"] = json!(user);
        }
        if self.which == Which::Pinterest {
            v["response_type"] = json!(if refreshing {
                "refresh_token"
            } else {
                "authorization_code"
            });
            if refreshing {
                let at = refresh
                    .and_then(|rt| s.tokens.get(rt))
                    .and_then(|t| t.expires);
                v["refresh_token_expires_at"] = json!(at);
            }
        }
        v
    }

    fn token(&self, s: &mut State, r: &Req) -> Resp {
        // A code from LinkedIn's native PKCE flow comes with the client id alone.
        let native = r
            .get("code")
            .and_then(|c| s.codes.get(c))
            .is_some_and(|c| c.extra.contains_key("native"))
            && r.get("client_id") == Some(s.client_id.as_str())
            && r.get("client_secret").is_none();
        if !native && !self.client_ok(s, r) {
            return self.client_refused();
        }
        match r.get("grant_type") {
            Some("authorization_code") => {
                let code = match s.redeem(r, self.code_max_age, self.hex_challenge) {
                    Ok(c) => c,
                    Err(why) => return self.token_error(400, "invalid_grant", why),
                };
                let access = s.issue(
                    "at-",
                    "access",
                    &code.user,
                    None,
                    Some(self.access_ttl),
                    &code.scopes,
                );
                // X: a refresh token only with offline.access; Google: only offline access.
                let offline = match self.which {
                    Which::X => code.scopes.iter().any(|x| x == "offline.access"),
                    Which::Google => {
                        code.extra.get("access_type").map(String::as_str) == Some("offline")
                    }
                    _ => true,
                };
                let refresh = offline.then(|| {
                    s.issue(
                        "rt-",
                        "refresh",
                        &code.user,
                        None,
                        self.refresh_ttl,
                        &code.scopes,
                    )
                });
                let mut body = self.grant(
                    s,
                    &access,
                    (refresh.as_deref(), false),
                    &code.scopes,
                    &code.user,
                );
                // IdentityServer: an OpenID Connect ID token with `openid` (HS256 with
                // the client secret, which OIDC Core §10.1 allows for confidential
                // clients), carrying the authorize request's nonce.
                if self.which == Which::IdentityServer && code.scopes.iter().any(|x| x == "openid")
                {
                    let now = s.now();
                    let mut claims = serde_json::json!({"iss": s.issuer, "sub": code.user, "aud": s.client_id,
                        "exp": now + 300, "iat": now, "auth_time": now, "idp": "local"});
                    if let Some(n) = code.extra.get("nonce") {
                        claims["nonce"] = serde_json::json!(n);
                    }
                    body["id_token"] = serde_json::json!(id_token(&claims, &s.client_secret));
                }
                json_resp(200, body)
            }
            Some("refresh_token") => {
                let presented = r.get("refresh_token");
                let old = match s.live(presented, &["refresh"]) {
                    Ok(t) => t,
                    Err(Dead::Used) if s.reuse_grace => {
                        let t = s.tokens[presented.unwrap()].clone();
                        s.kill_user(&t.user, Dead::Revoked);
                        t
                    }
                    // TikTok (oauth-error-handling): `invalid_grant` is the category for a
                    // refresh token that "is invalid, expired, revoked"; its pages give no
                    // example body or status for it (400, as RFC 6749 §5.2).
                    Err(why) if self.which == Which::TikTok => {
                        if why == Dead::Used {
                            s.reused += 1;
                        }
                        return self.token_error(
                            400,
                            "invalid_grant",
                            "The refresh token is invalid, expired or revoked.",
                        );
                    }
                    Err(Dead::Used) if self.rotate && self.which != Which::IdentityServer => {
                        s.reused += 1;
                        return self.token_error(
                            400,
                            "invalid_request",
                            "Value passed for the token was invalid.",
                        );
                    }
                    Err(_) if self.which == Which::X => {
                        return self.token_error(
                            400,
                            "invalid_request",
                            "Value passed for the token was invalid.",
                        )
                    }
                    Err(_) if self.which == Which::Google => {
                        return self.token_error(
                            400,
                            "invalid_grant",
                            "Token has been expired or revoked.",
                        )
                    }
                    Err(why) => {
                        return self.token_error(
                            400,
                            "invalid_grant",
                            &format!("the refresh token is {why:?}").to_lowercase(),
                        )
                    }
                };
                let access = s.issue(
                    "at-",
                    "access",
                    &old.user,
                    None,
                    Some(self.access_ttl),
                    &old.scopes,
                );
                let presented = presented.unwrap().to_owned();
                if self.rotate {
                    s.tokens.get_mut(&presented).unwrap().dead = Some(Dead::Used);
                }
                let refresh = match self.which {
                    // The same refresh token, its fixed deadline counting down.
                    Which::LinkedIn => Some(presented),
                    // Rotation (X, TikTok), and Pinterest's continuous refresh: a new
                    // refresh token with every answer.
                    _ if self.rotate || self.which == Which::Pinterest => Some(s.issue(
                        "rt-",
                        "refresh",
                        &old.user,
                        None,
                        self.refresh_ttl,
                        &old.scopes,
                    )),
                    _ => None,
                };
                let body = self.grant(
                    s,
                    &access,
                    (refresh.as_deref(), true),
                    &old.scopes,
                    &old.user,
                );
                json_resp(200, body)
            }
            _ => self.token_error(400, "unsupported_grant_type", "grant_type is not supported"),
        }
    }

    /// IdentityServer's discovery document (docs.duendesoftware.com/identityserver/v5/
    /// reference/endpoints/discovery), its endpoints under the issuer; no `jwks_uri`, as
    /// the double signs its ID tokens with the client secret (HS256).
    fn discovery(&self, s: &State) -> Resp {
        let at = |path: Option<&str>| path.map(|p| format!("{}{p}", s.issuer));
        json_resp(
            200,
            json!({
                "issuer": s.issuer,
                "authorization_endpoint": at(Some(self.authorize_path)),
                "token_endpoint": at(Some(self.token_path)),
                "userinfo_endpoint": at(Some(self.identity_path)),
                "revocation_endpoint": at(self.revoke_path),
                "introspection_endpoint": at(self.introspect_path),
                "scopes_supported": self.scopes,
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["plain", "S256"],
            }),
        )
    }

    fn identity(&self, s: &mut State, r: &Req) -> Resp {
        let t = match s.live(r.bearer(), &["access"]) {
            Ok(t) => t,
            Err(why) => return self.api_error(why),
        };
        let user = s.users.get(&t.user).cloned().unwrap();
        let handle = user.name.to_lowercase();
        match self.which {
            Which::X => json_resp(
                200,
                json!({"data": {"id": t.user, "name": user.name, "username": handle}}),
            ),
            Which::LinkedIn => json_resp(
                200,
                json!({"sub": t.user, "name": user.name, "given_name": user.name, "email_verified": true, "locale": {"country": "US", "language": "en"}}),
            ),
            Which::Google => {
                if r.get("mine") != Some("true") {
                    return json_resp(
                        400,
                        json!({"error": {"code": 400, "message": "No filter selected.", "status": "INVALID_ARGUMENT"}}),
                    );
                }
                let items: Vec<Value> = user
                    .accounts
                    .iter()
                    .map(|c| json!({"kind": "youtube#channel", "etag": "e", "id": c["id"], "snippet": {"title": c["name"]}}))
                    .collect();
                json_resp(
                    200,
                    json!({"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": items.len()}, "items": items}),
                )
            }
            Which::TikTok => json_resp(
                200,
                json!({"data": {"user": {"open_id": t.user, "display_name": user.name}}, "error": {"code": "ok", "message": "", "log_id": "202611280000000002"}}),
            ),
            // API v5 "Get user account" (`GET /v5/user_account`): `id` is the user
            // account id, `username` a name the user may change.
            Which::Pinterest => json_resp(
                200,
                json!({"account_type": "BUSINESS", "id": t.user, "profile_image": "https://i.pinimg.com/600x600_R/42/f5/36/42f5364f1e6e83e5bde1d4ddb3d1d2b1.jpg",
                       "website_url": "https://example.com", "username": user.username.clone().unwrap_or(handle),
                       "about": "", "business_name": user.name, "board_count": 4, "pin_count": 120,
                       "follower_count": 35, "following_count": 12, "monthly_views": 1500}),
            ),
            Which::IdentityServer => json_resp(200, json!({"sub": t.user, "name": user.name})),
        }
    }

    fn revoke(&self, s: &mut State, r: &Req) -> Resp {
        if self.which != Which::Google && !self.client_ok(s, r) {
            return self.client_refused();
        }
        // TikTok ("Revoke Access"): `token` is "the user access token to revoke". Its
        // documentation gives no error example for another token; this answers as its
        // token endpoint does.
        if self.which == Which::TikTok {
            if let Err(why) = s.live(r.get("token"), &["access"]) {
                return self.token_error(
                    400,
                    "invalid_request",
                    &format!("the access token is {why:?}").to_lowercase(),
                );
            }
        }
        let Some(t) = r.get("token").and_then(|t| s.tokens.get(t)).cloned() else {
            return self.token_error(400, "invalid_token", "Token expired or revoked");
        };
        s.kill_user(&t.user, Dead::Revoked);
        match self.which {
            Which::X => json_resp(200, json!({"revoked": true})),
            _ => json_resp(200, json!({})),
        }
    }

    fn introspect(&self, s: &mut State, r: &Req) -> Resp {
        if !self.client_ok(s, r) {
            return self.client_refused();
        }
        let token = r.get("token");
        let Some(t) = token.and_then(|t| s.tokens.get(t)).cloned() else {
            return json_resp(200, json!({"active": false}));
        };
        if self.which == Which::IdentityServer {
            // Access tokens only: a refresh token, live or not, is "unknown".
            return match s.live(token, &["access"]) {
                Ok(t) => json_resp(
                    200,
                    json!({"iss": "https://localhost:5001", "nbf": t.issued, "iat": t.issued, "exp": t.expires, "client_id": s.client_id, "sub": t.user, "scope": t.scopes.join(" "), "token_type": "access_token", "active": true}),
                ),
                Err(_) => json_resp(200, json!({"active": false})),
            };
        }
        match s.live(token, &[t.kind]) {
            Ok(t) => json_resp(
                200,
                json!({"active": true, "client_id": s.client_id, "authorized_at": t.issued, "created_at": t.issued, "status": "active", "expires_at": t.expires, "scope": t.scopes.join(","), "auth_type": "3L"}),
            ),
            Err(why) => json_resp(
                200,
                json!({"active": false, "status": if why == Dead::Expired { "expired" } else { "revoked" }}),
            ),
        }
    }
}

/// LinkedIn's native PKCE authorize endpoint ("Native PKCE"): PKCE required, no client
/// secret at the token endpoint, any port of http://127.0.0.1. The standard endpoint
/// ("Authorization Code Flow") matches the redirect URI exactly, port included.
pub const LINKEDIN_NATIVE_PATH: &str = "/oauth/native-pkce/authorization";

impl Network for OAuthNetwork {
    fn scopes(&self) -> &'static [&'static str] {
        self.scopes
    }

    fn handle(&self, s: &mut State, r: &Req) -> Resp {
        let path = r.path.as_str();
        if self.which == Which::LinkedIn && r.method == "GET" && path == LINKEDIN_NATIVE_PATH {
            let exact = s.any_loopback_port.replace("/callback".into());
            let resp = s.authorize(r, self.client_param, self.separator, true);
            s.any_loopback_port = exact;
            // Its code is redeemed by a public client.
            if let Some(code) = resp
                .headers
                .iter()
                .find(|(k, _)| k == "Location")
                .and_then(|(_, l)| l.split("code=").nth(1))
                .map(|c| c.split('&').next().unwrap_or_default().to_owned())
            {
                if let Some(c) = s.codes.get_mut(&code) {
                    c.extra.insert("native".into(), "1".into());
                }
            }
            return resp;
        }
        if r.method == "GET" && path == self.authorize_path {
            return s.authorize(r, self.client_param, self.separator, self.pkce_required);
        }
        if self.which == Which::IdentityServer
            && r.method == "GET"
            && path == "/.well-known/openid-configuration"
        {
            return self.discovery(s);
        }
        if r.method == "POST" && path == self.token_path {
            return self.token(s, r);
        }
        if r.method == "GET" && path == self.identity_path {
            return self.identity(s, r);
        }
        if r.method == "POST" && Some(path) == self.revoke_path {
            return self.revoke(s, r);
        }
        if r.method == "POST" && Some(path) == self.introspect_path {
            return self.introspect(s, r);
        }
        json_resp(404, json!({"error": "not_found", "path": path}))
    }
}

/// An ID token signed with HS256 and `secret`.
pub fn id_token(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}
