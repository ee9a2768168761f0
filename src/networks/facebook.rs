//! Facebook Pages through the Graph API (developers.facebook.com/docs/facebook-login,
//! /docs/pages-api/getting-started, /docs/graph-api/reference/debug_token).
//!
//! The code is exchanged with a GET (client secret as a parameter); the short-lived
//! user token (1-2 h) becomes a long-lived one with `grant_type=fb_exchange_token`
//! (about 60 days); `/me/accounts` lists the Pages the user manages, each with a Page
//! token derived from it. There is no refresh grant: a Page token from a long-lived
//! user token has no expiry, but **data access** ends 90 days after the user was last
//! active, so `debug_token` (with the app token `client_id|client_secret`) gives both
//! deadlines, and verifies tokens that never expire. Instagram business accounts
//! reached through their Page (`login = "facebook"` under `[providers.instagram]`)
//! share all of this.

use super::{
    dialect, exchange_grant, field, problem, text_field, unexpected, Account, At, Call, Connection,
    Net, Network, Problem, Revocation, Spec, Verdict,
};
use crate::config::{ClientAuth, Reach};
use crate::domain::failure::{classify, Answer, Failure, Known};
use crate::domain::profile::{Profile, Reason, Timestamp};
use crate::domain::renewal::Capability;
use crate::domain::token::{Secret, TokenSet};
use crate::oauth::client::Pkce;
use crate::oauth::http::{self, url};
use oauth2::reqwest::blocking::Client as Http;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec {
    name: "facebook",
    title: "Facebook Pages",
    authorize_url: "https://www.facebook.com/v21.0/dialog/oauth",
    token_url: "https://graph.facebook.com/v21.0/oauth/access_token",
    api_base: "https://graph.facebook.com/v21.0",
    revocation_url: None,
    introspection_url: None,
    userinfo_url: None,
    scopes: &["pages_show_list", "pages_read_engagement", "pages_manage_posts"],
    dialect: dialect(",", Pkce::Off, true),
    client_auth: ClientAuth::Post,
    id_param: "client_id",
    // Exact match, port included: Facebook Login > Settings, "Valid OAuth Redirect
    // URIs", with Strict Mode always on (Facebook Login: "Manually Build a Login Flow").
    redirect_port: 8765,
    redirect_path: "/callback",
    redirect_note: "register it under Facebook Login > Settings > Valid OAuth Redirect URIs; while the app is in development, only its admins, developers and testers can sign in",
    // Asks again for permissions the user declined before; without it the dialog
    // silently leaves them out (Facebook Login: "Re-asking for Declined Permissions").
    extra_authorize: &[("auth_type", "rerequest")],
    lifecycle: "Page token without expiry from a 60-day user token; no refresh; data access ends 90 days after the user's last activity (debug_token)",
    network: &PAGES,
    login: None,
};

/// Facebook Login, for Pages or for the Instagram accounts linked to them: accounts
/// chosen in the dialog's picker, Page tokens that nothing renews, `debug_token` for
/// deadlines and permissions.
pub struct Facebook {
    want: Want,
}

pub const PAGES: Facebook = Facebook { want: Want::Pages };
pub const INSTAGRAM: Facebook = Facebook {
    want: Want::Instagram,
};

impl Network for Facebook {
    fn connect(&self, net: &Net, http: &Http, token: Value, at: At) -> Call<Vec<Connection>> {
        connect(net, http, token, at.0, self.want)
    }

    fn finish(&self, net: &Net, http: &Http, c: Connection, now: Timestamp) -> Call<Connection> {
        finish(net, http, c, now, self.want)
    }

    /// A Page token has no expiry and no refresh token: nothing renews it.
    fn capability(&self, _: &Profile, _: &TokenSet, _: Timestamp) -> Capability {
        Capability::Impossible
    }

    fn verify(&self, net: &Net, http: &Http, p: &Profile, t: &TokenSet, now: Timestamp) -> Verdict {
        verify(net, http, p, t, now, self.want)
    }

    fn revoke(&self, net: &Net, http: &Http, t: &TokenSet, now: Timestamp) -> Call<Revocation> {
        revoke(net, http, t, now)
    }

    /// `DELETE /{user-id}/permissions` removes the app from the user's account.
    fn revocation(&self) -> Reach {
        Reach::Account
    }

    fn account_picker(&self) -> Option<&'static str> {
        Some("Facebook")
    }

    fn keeps_refused_grants(&self) -> Option<&'static str> {
        Some("Facebook revokes only the whole user's access, Pages you may use elsewhere included; remove the app in that user's Facebook settings (Business Integrations) if it is not wanted")
    }
}

/// What a Facebook sign-in is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Pages,
    /// The Instagram business account linked to each Page.
    Instagram,
}

fn app_token(net: &Net) -> String {
    let c = net.credentials();
    format!("{}|{}", c.client_id, c.secret_text())
}

fn graph_get(
    net: &Net,
    http: &Http,
    path: &str,
    query: &[(&str, &str)],
    what: &str,
    now: Timestamp,
) -> Call<Value> {
    let answer = http::send(http.get(url(&net.endpoints.api_base, path, query)));
    problem(net, what, answer, now)
}

/// One entry of `/me/accounts` as a connection: the Page (or its Instagram account,
/// `None` when it has none) with the Page token.
fn page_connection(
    net: &Net,
    page: &Value,
    want: Want,
    scopes: Option<&str>,
    now: Timestamp,
) -> Call<Option<Connection>> {
    let what = "list of Pages (/me/accounts)";
    let (id, name) = match want {
        Want::Pages => (text_field(net, what, page, "/id")?, page.get("name")),
        Want::Instagram => match page.pointer("/instagram_business_account/id") {
            None => return Ok(None),
            Some(_) => (
                text_field(net, what, page, "/instagram_business_account/id")?,
                page.pointer("/instagram_business_account/username"),
            ),
        },
    };
    let page_token = field(net, what, page, "/access_token")?
        .as_str()
        .ok_or_else(|| unexpected(net, what, "`access_token` is not a string"))?;
    let grant = exchange_grant(
        net,
        json!({"access_token": page_token, "scope": scopes}),
        now,
    )?;
    Ok(Some(Connection {
        account: Some(Account {
            id,
            name: name.and_then(Value::as_str).map(str::to_owned),
        }),
        grant,
        data_access_expires_at: None,
        renewable: false,
        // Read with the Page's deadlines (`finish`).
        login: None,
    }))
}

/// Code -> short-lived user token -> long-lived user token -> the Pages (or their
/// Instagram accounts), each with its Page token and deadlines from `debug_token`.
fn connect(
    net: &Net,
    http: &Http,
    token: Value,
    now: Timestamp,
    want: Want,
) -> Call<Vec<Connection>> {
    let short = exchange_grant(net, token, now)?;
    let c = net.credentials();
    let long = graph_get(
        net,
        http,
        "/oauth/access_token",
        &[
            ("grant_type", "fb_exchange_token"),
            ("client_id", &c.client_id),
            ("client_secret", c.secret_text()),
            ("fb_exchange_token", short.tokens.access_token.expose()),
        ],
        "long-lived token exchange (fb_exchange_token)",
        now,
    )?;
    let user = exchange_grant(net, long, now)?;
    let fields = match want {
        Want::Pages => "id,name,access_token",
        Want::Instagram => "id,name,access_token,instagram_business_account{id,username}",
    };
    let what = "list of Pages (/me/accounts)";
    let pages = graph_get(
        net,
        http,
        "/me/accounts",
        &[
            ("fields", fields),
            ("limit", "100"),
            ("access_token", user.tokens.access_token.expose()),
        ],
        what,
        now,
    )?;
    let list = field(net, what, &pages, "/data")?
        .as_array()
        .ok_or_else(|| unexpected(net, what, "`data` is not a list"))?;
    let scopes = short.scopes.as_ref().map(|s| s.join(","));
    let mut out = Vec::new();
    for page in list {
        if let Some(c) = page_connection(net, page, want, scopes.as_deref(), now)? {
            out.push(c);
        }
    }
    if out.is_empty() {
        let none = match want {
            Want::Pages => "this Facebook user manages no Page, or did not grant access to any",
            Want::Instagram => "none of this Facebook user's Pages has an Instagram business account linked, or access to it was not granted",
        };
        return Err(Problem {
            failure: Failure::Reauth(Reason::ScopeMissing),
            message: none.to_owned(),
        });
    }
    Ok(out)
}

/// The chosen account's deadlines and granted permissions, from `debug_token` of its
/// token (the code exchange's answer carries no `scope`). A Page the user did not
/// select in the dialog is refused; missing permissions are recorded as the grant's
/// scopes, so the profile is stored as `scope_missing` with the tokens kept.
fn finish(
    net: &Net,
    http: &Http,
    mut c: Connection,
    now: Timestamp,
    want: Want,
) -> Call<Connection> {
    let (verdict, grants) = debug(net, http, &c.grant.tokens.access_token, now)?;
    match verdict {
        Verdict::Valid {
            expires_at,
            data_access_expires_at,
        } => {
            if let Some(e) = expires_at {
                c.grant.expires_at = e;
                c.grant.expires_never = e.is_none();
            }
            c.data_access_expires_at = data_access_expires_at;
            if let (Some(grants), Some(account)) = (&grants, &c.account) {
                if let Some(why) =
                    grants.unselected(net, want, &account.id, account.name.as_deref())
                {
                    return Err(Problem {
                        failure: Failure::Reauth(Reason::ScopeMissing),
                        message: format!("{why}: sign in again and select it"),
                    });
                }
                c.grant.scopes = Some(grants.scopes.clone());
                c.login = grants.user.clone();
            }
            Ok(c)
        }
        Verdict::Failed(p) => Err(p),
        Verdict::Unsupported(why) | Verdict::Inconclusive(why) => {
            Err(unexpected(net, "debug_token", &why))
        }
    }
}

/// What `debug_token` says the user granted: `scopes`, and `granular_scopes` whose
/// `target_ids` list the Pages (or Instagram accounts) a permission covers.
pub struct Grants {
    pub scopes: Vec<String>,
    granular: Vec<(String, Option<Vec<String>>)>,
    /// The Facebook user who granted them (`user_id`).
    user: Option<String>,
}

impl Grants {
    fn read(data: &Value) -> Option<Grants> {
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let scopes = strings(data.get("scopes")?)?;
        let granular = data
            .get("granular_scopes")
            .and_then(Value::as_array)
            .map(|all| {
                all.iter()
                    .filter_map(|g| {
                        let scope = g.get("scope")?.as_str()?.to_owned();
                        Some((scope, g.get("target_ids").and_then(strings)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let user = data
            .get("user_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Grants {
            scopes,
            granular,
            user,
        })
    }

    /// The required permissions the user did not grant.
    fn missing(&self, net: &Net) -> Vec<String> {
        net.scopes
            .iter()
            .filter(|s| !self.scopes.contains(s))
            .cloned()
            .collect()
    }

    /// Why the account is not covered, when the user left it out in the dialog's Page
    /// (or Instagram account) picker: a permission of its kind lists targets without it.
    fn unselected(
        &self,
        net: &Net,
        want: Want,
        account: &str,
        name: Option<&str>,
    ) -> Option<String> {
        let prefix = match want {
            Want::Instagram => "instagram_",
            Want::Pages => "pages_",
        };
        let left_out = self.granular.iter().any(|(scope, targets)| {
            scope.starts_with(prefix)
                && net.scopes.contains(scope)
                && targets
                    .as_ref()
                    .is_some_and(|t| !t.iter().any(|id| id == account))
        });
        left_out.then(|| {
            format!(
                "{} was not selected in the Facebook dialog",
                name.unwrap_or(account)
            )
        })
    }
}

/// A permission problem as the failure it is, with the command that fixes it.
fn permission_problem(net: &Net, p: &Profile, grants: &Grants, want: Want) -> Option<Problem> {
    let account = p.account_id.as_deref()?;
    let fix = format!("run `sbctl reauth {}`", p.id);
    let message = match grants.unselected(net, want, account, p.account_name.as_deref()) {
        Some(why) => format!("{why}: {fix} and select it"),
        None => {
            let missing = grants.missing(net);
            if missing.is_empty() {
                return None;
            }
            format!(
                "permissions not granted: {}: {fix} and tick them all",
                missing.join(", ")
            )
        }
    };
    Some(Problem {
        failure: Failure::Reauth(Reason::ScopeMissing),
        message,
    })
}

fn time(v: Option<&Value>) -> Option<Option<Timestamp>> {
    let secs = v?.as_i64()?;
    Some(
        (secs > 0)
            .then(|| chrono::DateTime::from_timestamp(secs, 0))
            .flatten(),
    )
}

/// `GET /debug_token`: whether the token is valid, its two deadlines, and what the
/// user granted (when the answer says).
fn debug(
    net: &Net,
    http: &Http,
    token: &Secret,
    now: Timestamp,
) -> Call<(Verdict, Option<Grants>)> {
    let what = "token check (debug_token)";
    let body = graph_get(
        net,
        http,
        "/debug_token",
        &[
            ("input_token", token.expose()),
            ("access_token", &app_token(net)),
        ],
        what,
        now,
    )?;
    let data = field(net, what, &body, "/data")?;
    match data.get("is_valid").and_then(Value::as_bool) {
        Some(true) => Ok((
            Verdict::Valid {
                expires_at: time(data.get("expires_at")),
                data_access_expires_at: time(data.get("data_access_expires_at")).flatten(),
            },
            Grants::read(data),
        )),
        Some(false) => {
            // The reason comes as {"code": 190, "subcode": 460, "message": ...}.
            let e = data.get("error").cloned().unwrap_or(Value::Null);
            let graph = json!({"error": {
                "type": "OAuthException",
                "code": e.get("code").cloned().unwrap_or(json!(190)),
                "error_subcode": e.get("subcode").or(e.get("error_subcode")).cloned().unwrap_or(Value::Null),
                "message": e.get("message").cloned().unwrap_or(json!("the token is not valid")),
            }});
            let (failure, message) = classify(
                &Answer {
                    status: 400,
                    body: &graph.to_string(),
                    retry_after: None,
                },
                now,
                Known::default(),
            );
            let failure = match failure {
                Failure::Reauth(_) => failure,
                _ => Failure::Reauth(Reason::Invalid),
            };
            Ok((
                Verdict::Failed(Problem {
                    failure,
                    message: format!("{} {what}: {message}", net.name),
                }),
                None,
            ))
        }
        None => Err(unexpected(net, what, "it has no `data.is_valid`")),
    }
}

/// `debug_token`: valid, with every required permission, for the profile's Page.
fn verify(
    net: &Net,
    http: &Http,
    p: &Profile,
    tokens: &TokenSet,
    now: Timestamp,
    want: Want,
) -> Verdict {
    match debug(net, http, &tokens.access_token, now) {
        Err(problem) => Verdict::Failed(problem),
        Ok((verdict, None)) => verdict,
        Ok((verdict, Some(grants))) => match permission_problem(net, p, &grants, want) {
            Some(problem) => Verdict::Failed(problem),
            None => verdict,
        },
    }
}

/// `DELETE /{user-id}/permissions` with the app token: the user id from `debug_token`.
fn revoke(net: &Net, http: &Http, tokens: &TokenSet, now: Timestamp) -> Call<Revocation> {
    let what = "token check (debug_token)";
    let body = graph_get(
        net,
        http,
        "/debug_token",
        &[
            ("input_token", tokens.access_token.expose()),
            ("access_token", &app_token(net)),
        ],
        what,
        now,
    )?;
    if body.pointer("/data/is_valid").and_then(Value::as_bool) == Some(false) {
        // Already unusable: nothing left to revoke.
        return Ok(Revocation::Done);
    }
    let user = text_field(net, what, &body, "/data/user_id")?;
    let answer = http::send(http.delete(url(
        &net.endpoints.api_base,
        &format!("/{user}/permissions"),
        &[("access_token", &app_token(net))],
    )));
    problem(net, "revocation (DELETE /permissions)", answer, now).map(|_| Revocation::Done)
}
