//! Facebook's Graph API as its documentation describes it (developers.facebook.com:
//! Manually Build a Login Flow; Long-Lived Access Tokens; Page Access Tokens;
//! /debug_token; Handling Errors), at `/v21.0`. Also Instagram business accounts
//! reached through their Page (`instagram_business_account`).

use super::{json_resp, Dead, Network, Req, Resp, State};
use serde_json::{json, Value};

pub struct Facebook;

const SHORT_TTL: i64 = 5_400;
const LONG_TTL: i64 = 5_184_000;
const DATA_ACCESS: i64 = 90 * 86_400;

/// `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
pub fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Resp {
    let mut e = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    json_resp(status, json!({ "error": e }))
}

/// The error a dead or unknown token gets (code 190 and the subcode of the cause).
pub fn token_error(why: Dead) -> Resp {
    match why {
        Dead::PasswordChanged => graph_error(400, 190, Some(460), "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."),
        Dead::Expired => graph_error(400, 190, Some(463), "Error validating access token: Session has expired."),
        Dead::Revoked => graph_error(400, 190, Some(458), "Error validating access token: The user has not authorized application."),
        Dead::Used => graph_error(400, 190, None, "Invalid OAuth access token."),
    }
}

impl Network for Facebook {
    /// developers.facebook.com/docs/permissions (Permissions Reference): the Page and
    /// Instagram-through-Page permissions sbctl may ask for.
    fn scopes(&self) -> &'static [&'static str] {
        &[
            "public_profile",
            "email",
            "pages_show_list",
            "pages_read_engagement",
            "pages_read_user_content",
            "pages_manage_posts",
            "pages_manage_engagement",
            "pages_manage_metadata",
            "read_insights",
            "business_management",
            "publish_video",
            "instagram_basic",
            "instagram_content_publish",
            "instagram_manage_comments",
            "instagram_manage_insights",
        ]
    }

    fn handle(&self, s: &mut State, r: &Req) -> Resp {
        let path = r.path.strip_prefix("/v21.0").unwrap_or("");
        match (r.method.as_str(), path) {
            ("GET", "/dialog/oauth") => {
                // Declined permissions are not asked again without auth_type=rerequest
                // (Facebook Login: "Re-asking for Declined Permissions").
                let unticked = s.withheld.clone();
                if r.get("auth_type") != Some("rerequest") {
                    let before = s.declined.clone();
                    s.withheld.extend(before);
                }
                let resp = s.authorize(r, "client_id", ',', false);
                s.declined = std::mem::replace(&mut s.withheld, unticked);
                let who = s.signed_in.clone();
                let now = s.now();
                if let Some(u) = s.users.get_mut(&who) {
                    u.active = now;
                }
                resp
            }
            ("GET", "/oauth/access_token") => exchange(s, r),
            ("GET", "/me/accounts") => accounts(s, r),
            ("GET", "/debug_token") => debug_token(s, r),
            ("DELETE", p) if p.ends_with("/permissions") => {
                if r.get("access_token") != Some(&app_token(s)) {
                    return graph_error(400, 190, None, "Invalid OAuth access token.");
                }
                let user = p
                    .trim_start_matches('/')
                    .trim_end_matches("/permissions")
                    .to_owned();
                s.kill_user(&user, Dead::Revoked);
                json_resp(200, json!({"success": true}))
            }
            _ => graph_error(400, 100, Some(33), "Unsupported get request."),
        }
    }
}

fn app_token(s: &State) -> String {
    format!("{}|{}", s.client_id, s.client_secret)
}

/// The code exchange, and `grant_type=fb_exchange_token` on the same path.
fn exchange(s: &mut State, r: &Req) -> Resp {
    if r.get("client_id") != Some(s.client_id.as_str()) {
        return graph_error(
            400,
            101,
            None,
            "Error validating application. Invalid application ID.",
        );
    }
    if r.get("client_secret") != Some(s.client_secret.as_str()) {
        return graph_error(400, 1, None, "Error validating client secret.");
    }
    if r.get("grant_type") == Some("fb_exchange_token") {
        // An expired short-lived token cannot be exchanged.
        let short = match s.live(r.get("fb_exchange_token"), &["short"]) {
            Ok(t) => t,
            Err(why) => return token_error(why),
        };
        let long = s.issue(
            "EAAL",
            "user",
            &short.user,
            None,
            Some(LONG_TTL),
            &short.scopes,
        );
        return json_resp(
            200,
            json!({"access_token": long, "token_type": "bearer", "expires_in": LONG_TTL}),
        );
    }
    let code = match s.redeem(r, 600, false) {
        Ok(c) => c,
        Err(why) => {
            return graph_error(
                400,
                100,
                Some(36009),
                &format!("Invalid verification code format: {why}."),
            )
        }
    };
    let token = s.issue(
        "EAAS",
        "short",
        &code.user,
        None,
        Some(SHORT_TTL),
        &code.scopes,
    );
    json_resp(
        200,
        json!({"access_token": token, "token_type": "bearer", "expires_in": SHORT_TTL}),
    )
}

/// `/me/accounts`: each Page the user manages, with a Page token (no expiry when the
/// user token is long-lived) and, when asked, its Instagram business account.
fn accounts(s: &mut State, r: &Req) -> Resp {
    let user = match s.live(r.get("access_token"), &["user", "short"]) {
        Ok(t) => t,
        Err(why) => return token_error(why),
    };
    if !user.scopes.iter().any(|x| x == "pages_show_list") {
        return graph_error(
            403,
            200,
            None,
            "(#200) Requires pages_show_list permission to manage the object",
        );
    }
    let fields = r.get("fields").unwrap_or("id,name");
    let pages = s
        .users
        .get(&user.user)
        .map(|u| u.accounts.clone())
        .unwrap_or_default();
    let ttl = (user.kind == "short").then_some(SHORT_TTL);
    let mut data = Vec::new();
    for page in pages {
        let id = page["id"].as_str().unwrap().to_owned();
        // Only the Pages selected in the dialog's Page picker.
        if s.unselected.contains(&id) {
            continue;
        }
        let token = s.issue(
            "EAAP",
            "page",
            &user.user,
            Some(id.clone()),
            ttl,
            &user.scopes,
        );
        let mut entry = json!({"id": id, "name": page["name"], "category": "Bakery", "tasks": ["MANAGE", "CREATE_CONTENT"]});
        if fields.contains("access_token") {
            entry["access_token"] = json!(token);
        }
        if fields.contains("instagram_business_account") {
            if let Some(ig) = page.get("instagram") {
                entry["instagram_business_account"] = ig.clone();
            }
        }
        data.push(entry);
    }
    json_resp(
        200,
        json!({"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}}}),
    )
}

fn debug_token(s: &mut State, r: &Req) -> Resp {
    if r.get("access_token") != Some(&app_token(s)) {
        return graph_error(
            400,
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        );
    }
    let input = r.get("input_token").unwrap_or_default();
    let Some(t) = s.tokens.get(input).cloned() else {
        return graph_error(
            400,
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        );
    };
    let active = s.users.get(&t.user).map_or(0, |u| u.active);
    let mut data = json!({
        "app_id": s.client_id,
        "type": if t.kind == "page" { "PAGE" } else { "USER" },
        "application": "sbctl test app",
        "data_access_expires_at": active + DATA_ACCESS,
        "expires_at": t.expires.unwrap_or(0),
        "is_valid": true,
        "issued_at": t.issued,
        "scopes": t.scopes,
        "user_id": t.user,
    });
    if let Some(page) = &t.account {
        data["profile_id"] = json!(page);
    }
    // The Pages (and their Instagram accounts) each permission covers: those selected
    // in the dialog's Page picker; other permissions have no targets.
    let selected: Vec<Value> = s
        .users
        .get(&t.user)
        .map(|u| u.accounts.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !s.unselected.iter().any(|u| p["id"] == *u))
        .collect();
    let targets = |pointer: &str| -> Vec<Value> {
        selected
            .iter()
            .filter_map(|p| p.pointer(pointer).cloned())
            .collect()
    };
    data["granular_scopes"] = t
        .scopes
        .iter()
        .map(|scope| {
            if scope.starts_with("pages_") {
                json!({"scope": scope, "target_ids": targets("/id")})
            } else if scope.starts_with("instagram_") {
                json!({"scope": scope, "target_ids": targets("/instagram/id")})
            } else {
                json!({"scope": scope})
            }
        })
        .collect();
    if let Err(why) = s.live(Some(input), &[t.kind]) {
        data["is_valid"] = json!(false);
        let (subcode, message) = match why {
            Dead::PasswordChanged => (
                460,
                "The session has been invalidated because the user changed their password.",
            ),
            Dead::Expired => (463, "Session has expired."),
            _ => (458, "The user has not authorized application."),
        };
        data["error"] = json!({"code": 190, "message": message, "subcode": subcode});
    }
    json_resp(200, json!({ "data": data }))
}

/// A Page: id, name, and its Instagram business account (id, username) if linked.
pub type Page<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);

/// Pages for a user.
pub fn pages(list: &[Page<'_>]) -> Vec<Value> {
    list.iter()
        .map(|(id, name, ig)| {
            let mut p = json!({"id": id, "name": name});
            if let Some((ig_id, user)) = ig {
                p["instagram"] = json!({"id": ig_id, "username": user});
            }
            p
        })
        .collect()
}
