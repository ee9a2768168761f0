//! `sbctl reauth <id>`, and the wiring of the sign-in flow (`crate::connect`) that it
//! shares with `profiles add`: the flow's parts from the settings, the renewal lease
//! around an existing profile's new tokens, and what the terminal is told.

use crate::commands::authorize::Given;
use crate::commands::Ctx;
use crate::config::Provider;
use crate::connect::{Connected, Flow, Retired, Target};
use crate::domain::duration::Duration;
use crate::domain::profile::ProfileId;
use crate::error::{Attention, Error, Result};
use crate::secrets::SecretStore;
use crate::store::ProfileStore;
use crate::view::status_words;
use clap::Args;

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
    /// Read the sign-in from stdin instead of opening a browser: a line of `sbctl
    /// authorize`, a raw access token or a JSON token response
    #[arg(long, conflicts_with_all = ["no_browser", "port"])]
    pub with_token: bool,
}

pub fn run(args: ReauthArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let profile = ctx.require(store.as_ref(), &args.id)?;
    let provider = ctx.settings.provider(&profile.network).map_err(|e| {
        let mut e = e.within(format!(
            "{}: its provider `{}` is no longer in the config",
            profile.id, profile.network
        ));
        e.kind = crate::error::ErrorKind::Failed;
        e
    })?;
    let target = Target::Existing {
        profile: Box::new(profile),
        allow_account_change: args.allow_account_change,
    };
    if args.with_token {
        return given(ctx, store.as_mut(), provider, target);
    }
    connect(ctx, store.as_mut(), provider, target, &args.flow)
}

/// Runs the browser flow for `target` at `provider` and stores the result.
pub fn connect(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    provider: &Provider,
    target: Target,
    args: &FlowArgs,
) -> Result<Attention> {
    let id = target.id().clone();
    let http = ctx.http();
    let secrets = ctx.secrets(store)?;
    let net = ctx.resolve(provider, secrets.as_ref(), &http)?;
    let browser = |url: &str| crate::oauth::browser::open(url, ctx.settings.browser.as_deref());
    let flow = Flow {
        net: &net,
        http: &http,
        prompt: &ctx.ui,
        browser: (!args.no_browser).then_some(&browser as _),
        port: args.port.unwrap_or(net.redirect_port),
        timeout: args.timeout.as_delta().to_std().unwrap_or_default(),
        now: ctx.now,
        by: ctx.settings.user_at_host(),
    };
    let mut signed = flow.sign_in(&id)?;
    let result = flow.exchange(&id, &mut signed).and_then(|token| {
        settle(ctx, (store, secrets.as_ref()), target, |store, target| {
            flow.complete(Some(store), Some(&signed), token, target)
        })
    });
    crate::connect::answer_browser(&mut signed, &id, &result);
    conclude(ctx, &flow, store, result?)
}

/// Connects `target` with a sign-in given on stdin (`--with-token`).
pub fn given(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    provider: &Provider,
    target: Target,
) -> Result<Attention> {
    let id = target.id().clone();
    let input = ctx
        .ui
        .read_secret(
            "Paste the line `sbctl authorize` printed, an access token or a JSON token response: ",
        )
        .map_err(|e| Error::failed(format!("cannot read the sign-in from stdin: {e}")))?;
    let secrets = ctx.secrets(store)?;
    let given = crate::commands::authorize::read(secrets.as_ref(), &input, ctx.now)
        .map_err(|e| e.about(&id))?;
    apply(ctx, (store, secrets.as_ref()), provider, target, given)
}

/// Connects `target` with `given`: a line of `sbctl authorize`, by the same rules as
/// a sign-in here; or a token, whose account is read from the network as after a
/// browser sign-in.
pub fn apply(
    ctx: &Ctx,
    (store, secrets): (&mut dyn ProfileStore, &dyn SecretStore),
    provider: &Provider,
    target: Target,
    given: Given,
) -> Result<Attention> {
    let http = ctx.http();
    let net = ctx.resolve(provider, secrets, &http)?;
    let by = match &given {
        Given::Carried(_, by) => by.clone(),
        Given::Token(_) => ctx.settings.user_at_host().to_owned(),
    };
    let flow = Flow {
        net: &net,
        http: &http,
        prompt: &ctx.ui,
        browser: None,
        port: 0,
        timeout: std::time::Duration::ZERO,
        now: ctx.now,
        by: &by,
    };
    crate::interrupt::install(crate::ui::report_warning);
    let connected = settle(ctx, (store, secrets), target, |store, target| match given {
        Given::Carried(c, _) => flow.carried(*c, target),
        Given::Token(token) => flow.complete(Some(store), None, token, target),
    })?;
    conclude(ctx, &flow, store, connected)
}

/// Deals with the tokens a re-authorization replaced, and says what was connected.
fn conclude(
    ctx: &Ctx,
    flow: &Flow,
    store: &mut dyn ProfileStore,
    mut connected: Connected,
) -> Result<Attention> {
    let id = connected.profile.id.clone();
    match flow.retire(&mut connected) {
        Retired::Kept => {}
        Retired::Revoked(words) => ctx.ui.info(&words),
        Retired::Live(words) => ctx.ui.warn(&words),
        Retired::NewGrantEnded(words) => {
            ctx.ui.warn(&words);
            // Written under the lease, over the row as it is now, and only if no
            // renewal stored other tokens since.
            let marked = connected.profile.clone();
            let what = (lease_wait(ctx), "the mark was not stored");
            crate::renew::under_lease(ctx.lease_terms(), store, &id, what, |store| {
                match store.get(&id)? {
                    Some(now) if now.token_version == marked.token_version => {
                        store.update(&marked)?
                    }
                    _ => {}
                }
                Ok(())
            })?;
        }
    }
    said(ctx, &connected)
}

/// Completes the sign-in with `make` and stores it. An existing profile is held
/// under its renewal lease from here to the stored row: a `refresh` of it that is
/// with the provider right now is waited for, and none starts, so no outdated row or
/// token is written over the new ones.
fn settle(
    ctx: &Ctx,
    (store, secrets): (&mut dyn ProfileStore, &dyn SecretStore),
    target: Target,
    make: impl FnOnce(&dyn ProfileStore, Target) -> Result<Connected>,
) -> Result<Connected> {
    let id = target.id().clone();
    let existing = matches!(target, Target::Existing { .. });
    let finish = |store: &mut dyn ProfileStore| -> Result<Connected> {
        // The profile as it is now, under the lease: a renewal may have changed it
        // while the user was signing in.
        let target = match target {
            Target::Existing {
                profile,
                allow_account_change,
            } => Target::Existing {
                profile: Box::new(ctx.require(store, &profile.id)?),
                allow_account_change,
            },
            new => new,
        };
        let mut connected = make(store, target)?;
        if existing {
            // Read before they are written over, to be revoked once the new ones are
            // stored (`Flow::retire`); unreadable ones are left as they are.
            connected.replaced = crate::secrets::get_tokens(secrets, &id).ok().flatten();
        }
        // The token first: once it is stored, an interruption cannot lose it.
        ctx.remember_secret_store(store, secrets)?;
        crate::connect::store(store, secrets, &connected)?;
        Ok(connected)
    };
    if !existing {
        return finish(store);
    }
    let what = "the new tokens were not stored";
    crate::renew::under_lease(
        ctx.lease_terms(),
        store,
        &id,
        (lease_wait(ctx), what),
        finish,
    )
}

/// How long a sign-in waits for a renewal of its profile in progress: one lease.
fn lease_wait(ctx: &Ctx) -> std::time::Duration {
    crate::renew::lease(ctx.settings.http_timeout.as_delta())
        .to_std()
        .unwrap_or_default()
}

/// Tells the terminal what was connected, and what it means for the exit code.
fn said(ctx: &Ctx, c: &Connected) -> Result<Attention> {
    let (id, name) = (&c.profile.id, &c.profile.network);
    if !c.missing.is_empty() {
        ctx.ui.warn(&format!(
            "{id}: {name} granted fewer scopes than asked for; missing: {}",
            c.missing.join(", ")
        ));
    }
    let who = c
        .account
        .as_ref()
        .map(|a| format!(" as {}", a.name.as_deref().unwrap_or(&a.id)))
        .unwrap_or_default();
    let connected = if c.is_new {
        "connected"
    } else {
        "connected again"
    };
    let health = ctx.health(&c.profile);
    ctx.ui.info(&format!(
        "{id}: {connected}{who} ({name}): {}",
        status_words(&health, ctx.now).0
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
}
