//! Instagram API with Instagram Login and the Threads API, which work alike
//! (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
//! business-login, .../long-lived-access-tokens; /docs/threads/get-started/
//! get-access-tokens-and-permissions, .../long-lived-tokens): a short-lived token from
//! a form POST, a 60-day token for it, renewed with itself once 24 hours old.

use super::facebook::{graph_error, token_error};
use super::{json_resp, Network, Req, Resp, State};
use serde_json::json;

pub struct MetaLogin {
    pub exchange_grant: &'static str,
    pub refresh_grant: &'static str,
    pub me_path: &'static str,
    /// Instagram wraps the code exchange's answer in `{"data": [...]}`.
    pub wrapped: bool,
    /// The permissions its documentation lists.
    pub scopes: &'static [&'static str],
}

pub const INSTAGRAM: MetaLogin = MetaLogin {
    exchange_grant: "ig_exchange_token",
    refresh_grant: "ig_refresh_token",
    me_path: "/me",
    wrapped: true,
    // developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login:
    // the instagram_business_* permissions.
    scopes: &[
        "instagram_business_basic",
        "instagram_business_content_publish",
        "instagram_business_manage_messages",
        "instagram_business_manage_comments",
        "instagram_business_manage_insights",
    ],
};

pub const THREADS: MetaLogin = MetaLogin {
    exchange_grant: "th_exchange_token",
    refresh_grant: "th_refresh_token",
    me_path: "/v1.0/me",
    wrapped: false,
    // developers.facebook.com/docs/threads/get-started (Permissions).
    scopes: &[
        "threads_basic",
        "threads_content_publish",
        "threads_manage_insights",
        "threads_manage_replies",
        "threads_read_replies",
        "threads_manage_mentions",
        "threads_keyword_search",
        "threads_delete",
    ],
};

const SHORT_TTL: i64 = 3_600;
const LONG_TTL: i64 = 5_184_000;

impl Network for MetaLogin {
    fn scopes(&self) -> &'static [&'static str] {
        self.scopes
    }

    fn handle(&self, s: &mut State, r: &Req) -> Resp {
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/oauth/authorize") => s.authorize(r, "client_id", ',', false),
            ("POST", "/oauth/access_token") => {
                if !s.form_client(r, "client_id") {
                    return json_resp(
                        400,
                        json!({"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"}),
                    );
                }
                if r.get("grant_type") != Some("authorization_code") {
                    return json_resp(
                        400,
                        json!({"error_type": "OAuthException", "code": 400, "error_message": "Unsupported grant_type"}),
                    );
                }
                let code = match s.redeem(r, 3_600, false) {
                    Ok(c) => c,
                    Err(why) => {
                        return json_resp(
                            400,
                            json!({"error_type": "OAuthException", "code": 400, "error_message": why}),
                        )
                    }
                };
                let token = s.issue(
                    "IGQVJ",
                    "short",
                    &code.user,
                    None,
                    Some(SHORT_TTL),
                    &code.scopes,
                );
                let inner = json!({"access_token": token, "user_id": code.user, "permissions": code.scopes.join(",")});
                if self.wrapped {
                    json_resp(200, json!({ "data": [inner] }))
                } else {
                    json_resp(
                        200,
                        json!({"access_token": inner["access_token"], "user_id": code.user}),
                    )
                }
            }
            ("GET", "/access_token") => {
                if r.get("grant_type") != Some(self.exchange_grant)
                    || r.get("client_secret") != Some(s.client_secret.as_str())
                {
                    return graph_error(
                        400,
                        101,
                        None,
                        "Missing or invalid client_secret or grant_type",
                    );
                }
                let short = match s.live(r.get("access_token"), &["short"]) {
                    Ok(t) => t,
                    Err(why) => return token_error(why),
                };
                let long = s.issue(
                    "IGAAL",
                    "long",
                    &short.user,
                    None,
                    Some(LONG_TTL),
                    &short.scopes,
                );
                json_resp(
                    200,
                    json!({"access_token": long, "token_type": "bearer", "expires_in": LONG_TTL}),
                )
            }
            ("GET", "/refresh_access_token") => {
                if r.get("grant_type") != Some(self.refresh_grant) {
                    return graph_error(400, 100, None, "Unsupported grant_type");
                }
                let long = match s.live(r.get("access_token"), &["long"]) {
                    Ok(t) => t,
                    Err(why) => return token_error(why),
                };
                // "Tokens must be at least 24 hours old and valid to be refreshed."
                if s.now() - long.issued < 86_400 {
                    return graph_error(
                        400,
                        100,
                        None,
                        "The access token must be at least 24 hours old to be refreshed",
                    );
                }
                let fresh = s.issue(
                    "IGAAR",
                    "long",
                    &long.user,
                    None,
                    Some(LONG_TTL),
                    &long.scopes,
                );
                json_resp(
                    200,
                    json!({"access_token": fresh, "token_type": "bearer", "expires_in": LONG_TTL}),
                )
            }
            ("GET", p) if p == self.me_path => {
                let t = match s.live(r.get("access_token"), &["long", "short"]) {
                    Ok(t) => t,
                    Err(why) => return token_error(why),
                };
                let name = s
                    .users
                    .get(&t.user)
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                json_resp(
                    200,
                    json!({"id": t.user, "user_id": t.user, "username": name}),
                )
            }
            _ => graph_error(400, 100, None, "Unsupported request"),
        }
    }
}
