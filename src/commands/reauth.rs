//! `sbctl reauth <id>` and the browser flow it shares with `profiles add`: the
//! authorization-code grant with PKCE over a loopback redirect, then the account check,
//! the scope check, and the tokens stored before the profile row changes.

use crate::commands::Ctx;
use crate::config::Provider;
use crate::domain::duration::Duration;
use crate::domain::profile::{Profile, ProfileId};
use crate::error::{Attention, Error, Result};
use crate::networks::{Connection, Kind, Net};
use crate::oauth::callback::Callback;
use crate::oauth::client::authorize;
use crate::oauth::listener::{respond, Arrival, Hint, ListenError, Listener};
use crate::secrets::token_entries;
use crate::store::ProfileStore;
use crate::view::status_words;
use clap::Args;
use std::io::BufRead;
use std::sync::mpsc;

/// How long a sign-in may take before sbctl says what most often goes wrong.
const HINT_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// Flags of the browser flow, shared by `reauth` and `profiles add`.
#[derive(Debug, Args)]
pub struct FlowArgs {
    /// Only print the authorize URL; do not start a browser
    #[arg(long)]
    pub no_browser: bool,
    /// Listen for the redirect on this port of 127.0.0.1 (overrides redirect_port)
    #[arg(long, value_name = "P")]
    pub port: Option<u16>,
    /// Give up when the sign-in has not finished after this long
    #[arg(long, value_name = "DUR", default_value = "5m")]
    pub timeout: Duration,
}

#[derive(Debug, Args)]
pub struct ReauthArgs {
    /// The profile id
    pub id: ProfileId,
    #[command(flatten)]
    pub flow: FlowArgs,
    /// Accept a sign-in as a different account than the profile's
    #[arg(long)]
    pub allow_account_change: bool,
}

/// What the flow connects: a new profile, or an existing one.
pub enum Target {
    New {
        id: ProfileId,
        account: Option<String>,
    },
    Existing {
        profile: Box<Profile>,
        allow_account_change: bool,
    },
}

impl Target {
    fn id(&self) -> &ProfileId {
        match self {
            Target::New { id, .. } => id,
            Target::Existing { profile, .. } => &profile.id,
        }
    }
}

pub fn run(args: ReauthArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let profile = ctx.require(store.as_ref(), &args.id)?;
    let provider = ctx.settings.provider(&profile.network).map_err(|e| {
        Error::failed(format!(
            "{}: its provider `{}` is no longer in the config; {}",
            profile.id, profile.network, e.message
        ))
    })?;
    connect(
        ctx,
        store.as_mut(),
        provider,
        Target::Existing {
            profile: Box::new(profile),
            allow_account_change: args.allow_account_change,
        },
        &args.flow,
    )
}

/// Runs the browser flow for `target` at `provider` and stores the result.
pub fn connect(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    provider: &Provider,
    target: Target,
    flow: &FlowArgs,
) -> Result<Attention> {
    let id = target.id().clone();
    let name = &provider.name;
    let config_path = ctx.settings.config_path.display().to_string();
    let http = ctx.http();
    let secrets = ctx.secrets(store)?;
    let net = Net::resolve(provider, secrets.as_ref(), &http, &config_path)?;
    let scopes = net.scopes.clone();
    let port = flow.port.unwrap_or(net.redirect_port);
    let path = net.redirect_path.clone();
    let listener = Listener::bind(port, &path).map_err(|e| match e {
        ListenError::PortInUse(p) => Error::failed(format!("{id}: {e}")).hint(format!(
            "stop what uses port {p}, or pass --port with another port your app registration allows"
        )),
        other => Error::failed(format!("{id}: {other}")),
    })?;
    // An OpenID Connect provider's ID token must carry this sign-in's nonce.
    let nonce = (net.kind == Kind::Custom).then(|| format!("{:032x}", rand::random::<u128>()));
    let mut extra = net.extra_authorize.clone();
    if let Some(n) = &nonce {
        extra.insert("nonce".into(), n.clone());
    }
    let authorization = authorize(&net.client, &listener.redirect_uri(), &scopes, &extra)
        .map_err(|e| Error::failed(format!("provider {name}: {e}")))?;

    ctx.ui.notice(&format!(
        "To authorize {id} at {name}, open this address in a browser:\n\n    {}\n",
        authorization.url
    ));
    if !flow.no_browser {
        if let Err(e) =
            crate::oauth::browser::open(&authorization.url, ctx.settings.browser.as_deref())
        {
            ctx.ui.warn(&format!(
                "could not start a browser ({e}); open the address yourself"
            ));
        }
    }
    let pasted = ctx.ui.stdin_is_terminal().then(|| {
        ctx.ui.notice(
            "Waiting for the browser. If it runs on another machine, paste the address it ends up on here and press Enter.",
        );
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines().map_while(|l| l.ok()) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    });
    let redirect_uri = listener.redirect_uri();
    let hint = if port == 0 {
        format!(
            "{id}: still waiting for the browser. If it shows an error from {name}, its app must accept http://127.0.0.1 on any port with the path {path} (this time {redirect_uri}): {}",
            net.redirect_note
        )
    } else {
        format!(
            "{id}: still waiting for the browser. If it shows an error from {name}, the app's redirect URI must be exactly {redirect_uri}: {}",
            net.redirect_note
        )
    };
    let hint = Hint {
        after: HINT_AFTER,
        text: &hint,
    };
    let arrival = listener
        .wait(
            &authorization.url,
            authorization.state.expose(),
            flow.timeout.as_delta().to_std().unwrap_or_default(),
            pasted.as_ref(),
            (&|m| ctx.ui.warn(m), &hint),
        )
        .map_err(|e| {
            Error::failed(format!("{id}: {e}; nothing was changed")).hint(
                "run it again; for a browser on another machine, use --no-browser and paste the address it ends up on",
            )
        })?;
    let (callback, request) = match arrival {
        Arrival::Browser(cb, request) => (cb, Some(request)),
        Arrival::Pasted(cb) => (cb, None),
    };
    // Every way out below answers the browser, if it is waiting, with what happened.
    let request = std::cell::Cell::new(request);
    let answer = |status: u16, heading: &str, next: &str| {
        if let Some(r) = request.take() {
            respond(r, status, heading, next);
        }
    };
    let fail = |answer: &dyn Fn(u16, &str, &str), e: Error| -> Error {
        answer(
            400,
            &format!("sbctl: {id} was not connected"),
            &format!("{e}. Go back to the terminal; you can close this tab."),
        );
        e
    };
    let code = match callback {
        Callback::Code(code) => code,
        Callback::Denied { error, description } => {
            let said = description
                .map(|d| format!("{error}: {d}"))
                .unwrap_or(error);
            return Err(fail(
                &answer,
                Error::failed(format!(
                    "{id}: {name} did not authorize ({said}); nothing was changed"
                )),
            ));
        }
    };
    // From the code exchange on, a stop waits for the tokens to be stored: the provider
    // may issue them, and they must not be lost.
    crate::interrupt::install(crate::ui::report_warning);
    let token = match authorization.exchange(&http, &net.client, &code) {
        Ok(r) => r,
        Err(e) => {
            return Err(fail(
                &answer,
                Error::failed(format!(
                    "{id}: {name} refused the code exchange: {e}; nothing was changed"
                )),
            ))
        }
    };
    // From here to the stored row, an existing profile is held under its renewal
    // lease: a `refresh` of it that is with the provider right now is waited for, and
    // none starts, so no outdated row or token is written over the new ones.
    let existing = matches!(target, Target::Existing { .. });
    let settle = |store: &mut dyn ProfileStore| -> Result<Attention> {
        let problem = |p: crate::networks::Problem| {
            Error::failed(format!("{id}: {}; nothing was changed", p.message))
        };
        let connections = match net.connect(&http, token, (ctx.now, nonce.as_deref())) {
            Ok(c) => c,
            Err(p) => return Err(fail(&answer, problem(p))),
        };
        // What a refused sign-in leaves live at the provider, to revoke it.
        let issued = Issued {
            reached: connections
                .iter()
                .filter_map(|c| c.account.as_ref().map(|a| a.id.clone()))
                .collect(),
            tokens: connections.first().map(|c| c.grant.tokens.clone()),
        };
        let refuse = |store: &dyn ProfileStore, mut e: Error| -> Error {
            e.message = format!(
                "{}; {}",
                e.message,
                issued.discard(store, &net, &http, ctx.now)
            );
            fail(&answer, e)
        };
        let chosen = match choose(ctx, &id, name, &target, connections, pasted.as_ref()) {
            Ok(c) => c,
            Err(e) => return Err(refuse(store, e)),
        };
        let Connection {
            account,
            grant,
            data_access_expires_at,
            renewable,
        } = match net.finish(&http, chosen, ctx.now) {
            Ok(c) => c,
            Err(p) => return Err(fail(&answer, problem(p))),
        };

        let now = ctx.now;
        let (mut profile, is_new) = match target {
            Target::New {
                id,
                account: wanted,
            } => {
                if let (Some(w), Some(a)) = (&wanted, &account) {
                    if *w != a.id && a.name.as_deref() != Some(w) {
                        return Err(refuse(
                            store,
                            Error::failed(format!(
                                "{id}: signed in as {}, not `{w}`; nothing was changed",
                                who(a.name.as_deref(), &a.id)
                            )),
                        ));
                    }
                }
                (Profile::new(id, name.clone(), now), true)
            }
            Target::Existing {
                profile,
                allow_account_change,
            } => {
                if let (Some(old), Some(new)) = (&profile.account_id, &account) {
                    if !net.same_account(old, new) && !allow_account_change {
                        let (was, now_is) = (
                            who(profile.account_name.as_deref(), old),
                            who(new.name.as_deref(), &new.id),
                        );
                        // A Facebook account is a Page, chosen in the dialog's Page picker.
                        let (what, fix) = match net.kind {
                            Kind::Facebook | Kind::InstagramViaFacebook => (
                                format!(
                                    "{} was not selected in the Facebook dialog (this sign-in reaches {now_is})",
                                    profile.account_name.as_deref().unwrap_or(old)
                                ),
                                format!("run `sbctl reauth {id}` again and select {was} in the Page picker"),
                            ),
                            _ => (
                                format!("signed in as {now_is}, but {id} is {was}"),
                                format!("sign in as {was}"),
                            ),
                        };
                        return Err(refuse(
                            store,
                            Error::failed(format!("{id}: {what}; nothing was changed")).hint(
                                format!(
                                "{fix}, or pass --allow-account-change to switch {id} to {now_is}"
                            ),
                            ),
                        ));
                    }
                }
                (*profile, false)
            }
        };
        if let Some(a) = &account {
            profile.account_id = Some(a.id.clone());
            if a.name.is_some() {
                profile.account_name = a.name.clone();
            }
        }
        let missing = profile.apply_grant(&grant, Some(&scopes), now);
        profile.renewable = renewable;
        profile.data_access_expires_at = data_access_expires_at;
        profile.renewal_succeeded();
        // The new grant replaces whatever an interrupted renewal may have used up.
        profile.renewal_started_at = None;
        profile.last_error = None;
        profile.last_refreshed_at = Some(now);
        profile.connected_by = Some(ctx.settings.user_at_host.clone());

        // The token first: once it is stored, an interruption cannot lose it.
        ctx.remember_secret_store(store, secrets.as_ref())?;
        let stored = if is_new {
            crate::commands::profiles::add::add_all(
                store,
                secrets.as_ref(),
                std::slice::from_ref(&profile),
                &[(id.clone(), grant.tokens)],
            )
        } else {
            secrets
                .set_many(&token_entries(&[(id.clone(), grant.tokens)]))
                .map_err(Error::from)
                .and_then(|()| store.update(&profile).map_err(Error::from))
        };
        if let Err(e) = stored {
            return Err(fail(&answer, e));
        }

        let who = account
            .as_ref()
            .map(|a| format!(" as {}", a.name.as_deref().unwrap_or(&a.id)))
            .unwrap_or_default();
        let connected = if is_new {
            "connected"
        } else {
            "connected again"
        };
        if missing.is_empty() {
            answer(
                200,
                &format!("sbctl: {id} is {connected}."),
                "You can close this tab.",
            );
        } else {
            answer(
                200,
                &format!("sbctl: {id} is {connected}, but without some permissions."),
                &format!(
                    "Missing: {}. Run `sbctl reauth {id}` and grant them all.",
                    missing.join(", ")
                ),
            );
            ctx.ui.warn(&format!(
                "{id}: {name} granted fewer scopes than asked for; missing: {}",
                missing.join(", ")
            ));
        }
        let health = ctx.health(&profile);
        ctx.ui.info(&format!(
            "{id}: {connected}{who} ({name}): {}",
            status_words(&health, now).0
        ));
        let attention = match crate::commands::attention(&health) {
            Attention::Reauth => Attention::Reauth,
            _ => Attention::None,
        };
        Ok(match crate::interrupt::received() {
            Some(signal) => {
                ctx.ui
                    .notice(&format!("interrupted: {id}'s new tokens were stored first"));
                attention.and(Attention::Interrupted(signal))
            }
            None => attention,
        })
    };
    if !existing {
        return settle(store);
    }
    let wait = crate::renew::lease(ctx.settings.http_timeout.as_delta())
        .to_std()
        .unwrap_or_default();
    let what = "the new tokens were not stored";
    crate::renew::under_lease(ctx.lease_terms(), store, &id, (wait, what), settle)
        .map_err(|e| fail(&answer, e))
}

/// An account for people: "Ann (`u-1`)", or "account `u-1`" when it has no other name.
fn who(name: Option<&str>, id: &str) -> String {
    match name {
        Some(n) if n != id => format!("{n} (`{id}`)"),
        _ => format!("account `{id}`"),
    }
}

/// What a sign-in issued, for when sbctl refuses it: the accounts it reaches and its
/// tokens, which stay live at the provider unless revoked.
struct Issued {
    reached: Vec<String>,
    tokens: Option<crate::domain::token::TokenSet>,
}

impl Issued {
    /// Revokes the refused sign-in's grant where that cannot touch another profile,
    /// and says what became of it.
    fn discard(
        &self,
        store: &dyn ProfileStore,
        net: &Net,
        http: &oauth2::reqwest::blocking::Client,
        now: crate::domain::profile::Timestamp,
    ) -> String {
        use crate::networks::{Kind, Revocation};
        let Some(tokens) = &self.tokens else {
            return "no tokens were issued".into();
        };
        // Revoking may end the whole grant of the signed-in user (Google, Facebook):
        // not while another profile lives on it.
        let shared = store
            .list(&crate::store::ListFilter {
                network: Some(net.name.clone()),
            })
            .map(|all| {
                all.into_iter().find(|p| {
                    p.account_id
                        .as_ref()
                        .is_some_and(|a| self.reached.contains(a))
                })
            });
        match shared {
            Ok(Some(p)) => {
                return format!(
                "the tokens it issued were not revoked, because profile {} uses the same account",
                p.id
            )
            }
            Err(e) => return format!("the tokens it issued were not revoked ({e})"),
            Ok(None) => {}
        }
        if matches!(net.kind, Kind::Facebook | Kind::InstagramViaFacebook) {
            return "the tokens it issued were not revoked: Facebook revokes only the whole user's access, Pages you may use elsewhere included; remove the app in that user's Facebook settings (Business Integrations) if it is not wanted".into();
        }
        match net.revoke(http, tokens, now) {
            Ok(Revocation::Done) => format!("the tokens it issued were revoked at {}", net.name),
            Ok(Revocation::NotOffered(how)) => {
                format!("the tokens it issued are still live: {how}")
            }
            Err(p) => format!(
                "the tokens it issued could not be revoked ({}); revoke the app's access in that account's settings",
                p.message
            ),
        }
    }
}

/// The account to connect among those the sign-in reaches: the profile's own on
/// `reauth` (the identity rule), `--account` by id or name, the only one, a numbered
/// choice on a terminal, or an error listing them.
fn choose(
    ctx: &Ctx,
    id: &ProfileId,
    network: &str,
    target: &Target,
    mut all: Vec<Connection>,
    typed: Option<&mpsc::Receiver<String>>,
) -> Result<Connection> {
    let label = |c: &Connection| match &c.account {
        Some(a) => match &a.name {
            Some(n) => format!("{n} ({})", a.id),
            None => a.id.clone(),
        },
        None => "an unnamed account".into(),
    };
    let matches = |c: &Connection, wanted: &str| {
        c.account
            .as_ref()
            .is_some_and(|a| a.id == wanted || a.name.as_deref() == Some(wanted))
    };
    let wanted = match target {
        Target::New { account, .. } => account.clone(),
        // A reauth keeps the same account when the sign-in still reaches it; the
        // account check in `connect` names both when it does not.
        Target::Existing { profile, .. } => profile
            .account_id
            .clone()
            .filter(|old| all.iter().any(|c| matches(c, old))),
    };
    if let Some(w) = &wanted {
        if let Some(i) = all.iter().position(|c| matches(c, w)) {
            return Ok(all.swap_remove(i));
        }
        let names: Vec<String> = all.iter().map(label).collect();
        return Err(Error::failed(format!(
            "{id}: this {network} sign-in does not reach account `{w}`; it reaches: {}; nothing was changed",
            names.join(", ")
        ))
        .hint("pass --account with one of those ids or names, or sign in as someone who manages it"));
    }
    if all.len() == 1 {
        return Ok(all.remove(0));
    }
    let names: Vec<String> = all.iter().map(label).collect();
    if let Some(lines) = typed {
        let mut menu = format!(
            "{id}: this {network} sign-in reaches {} accounts:\n",
            all.len()
        );
        for (i, n) in names.iter().enumerate() {
            menu.push_str(&format!("  {}) {n}\n", i + 1));
        }
        menu.push_str("Which one? Type its number and press Enter:");
        ctx.ui.notice(&menu);
        while let Ok(line) = lines.recv_timeout(std::time::Duration::from_secs(300)) {
            match line.trim().parse::<usize>() {
                Ok(n) if (1..=all.len()).contains(&n) => return Ok(all.swap_remove(n - 1)),
                _ => ctx
                    .ui
                    .notice(&format!("Type a number from 1 to {}:", all.len())),
            }
        }
        return Err(Error::failed(format!(
            "{id}: no account was chosen; nothing was changed"
        )));
    }
    Err(Error::failed(format!(
        "{id}: this {network} sign-in reaches {} accounts: {}; nothing was changed",
        all.len(),
        names.join(", ")
    ))
    .hint(format!(
        "run it again with --account <id or name> to pick one, e.g. --account {}",
        all[0].account.as_ref().map_or("ID", |a| a.id.as_str())
    )))
}
