//! `sbctl reauth <id>` and the browser flow it shares with `profiles add`: the
//! authorization-code grant with PKCE over a loopback redirect, then the account check,
//! the scope check, and the tokens stored before the profile row changes.

use crate::commands::{status_words, Ctx};
use crate::config::Provider;
use crate::domain::duration::Duration;
use crate::domain::profile::{Profile, ProfileId};
use crate::error::{Attention, Error, Result};
use crate::networks::custom;
use crate::oauth::callback::Callback;
use crate::oauth::client::{authorize, ClientConfig};
use crate::oauth::listener::{respond, Arrival, ListenError, Listener};
use crate::secrets::token_entries;
use crate::store::ProfileStore;
use clap::Args;
use std::io::BufRead;
use std::sync::mpsc;

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
    if provider.built_in {
        return Err(Error::failed(format!(
            "{id}: signing in to {name} through the browser is not built yet; nothing was changed"
        ))
        .hint("register a token obtained elsewhere with `sbctl profiles add --with-token`"));
    }
    let http = crate::oauth::http_client();
    let secrets = ctx.secrets(store)?;
    let access = custom::access(provider, secrets.as_ref(), &http, &config_path)?;
    let endpoints = &access.endpoints;
    let scopes = provider
        .config
        .scopes
        .clone()
        .unwrap_or_else(|| vec!["openid".into(), "offline_access".into()]);
    let port = flow.port.or(provider.config.redirect_port).unwrap_or(0);
    let path = provider
        .config
        .redirect_path
        .clone()
        .unwrap_or_else(|| "/callback".into());
    let listener = Listener::bind(port, &path).map_err(|e| match e {
        ListenError::PortInUse(p) => Error::failed(format!("{id}: {e}")).hint(format!(
            "stop what uses port {p}, or pass --port with another port your app registration allows"
        )),
        other => Error::failed(format!("{id}: {other}")),
    })?;
    let client = ClientConfig {
        client_id: access.credentials.client_id.clone(),
        secret: access.credentials.secret.clone(),
        auth: access.credentials.auth,
        authorize_url: endpoints.authorize_url.clone(),
        token_url: endpoints.token_url.clone(),
    };
    let authorization = authorize(
        &client,
        &listener.redirect_uri(),
        &scopes,
        &provider.config.extra_authorize_params,
    )
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
    let arrival = listener
        .wait(
            &authorization.url,
            authorization.state.expose(),
            flow.timeout.as_delta().to_std().unwrap_or_default(),
            pasted.as_ref(),
            &|m| ctx.ui.warn(m),
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
    let (grant, other) = match authorization.exchange(&http, &code, ctx.now) {
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
    let account = match custom::identify(
        name,
        endpoints,
        &http,
        &grant.tokens.access_token,
        other.get_str("id_token"),
    ) {
        Ok(a) => a,
        Err(e) => return Err(fail(&answer, e)),
    };

    let now = ctx.now;
    let (mut profile, is_new) = match target {
        Target::New {
            id,
            account: wanted,
        } => {
            if let (Some(w), Some(a)) = (&wanted, &account) {
                if *w != a.id && a.name.as_deref() != Some(w) {
                    return Err(fail(
                        &answer,
                        Error::failed(format!(
                            "{id}: signed in as account `{}`, not `{w}`; nothing was changed",
                            a.id
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
                if *old != new.id && !allow_account_change {
                    return Err(fail(
                        &answer,
                        Error::failed(format!(
                            "{id}: signed in as account `{}`, but {id} is account `{old}`; nothing was changed",
                            new.id
                        ))
                        .hint(format!(
                            "sign in as `{old}`, or pass --allow-account-change to switch {id} to `{}`",
                            new.id
                        )),
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
    profile.refresh_failed = false;
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
    Ok(match crate::commands::attention(&health) {
        Attention::Reauth => Attention::Reauth,
        _ => Attention::None,
    })
}
