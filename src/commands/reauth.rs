//! `sbctl reauth <id>`, and the wiring of the sign-in flow (`crate::connect`) that it
//! shares with `profiles add`: the flow's parts from the settings, the renewal lease
//! around an existing profile's new tokens, and what the terminal is told.

use crate::commands::Ctx;
use crate::config::Provider;
use crate::connect::{Connected, Flow, Retired, SignedIn, Target};
use crate::domain::duration::Duration;
use crate::domain::profile::ProfileId;
use crate::error::{Attention, Result};
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
    let result = settle(ctx, &flow, (store, secrets.as_ref()), &mut signed, target);
    crate::connect::answer_browser(&mut signed, &id, &result);
    let mut connected = result?;
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

/// Exchanges the code, completes the sign-in and stores it. An existing profile is
/// held under its renewal lease from the exchange to the stored row: a `refresh` of
/// it that is with the provider right now is waited for, and none starts, so no
/// outdated row or token is written over the new ones.
fn settle(
    ctx: &Ctx,
    flow: &Flow,
    (store, secrets): (&mut dyn ProfileStore, &dyn SecretStore),
    signed: &mut SignedIn,
    target: Target,
) -> Result<Connected> {
    let id = target.id().clone();
    let token = flow.exchange(&id, signed)?;
    let existing = matches!(target, Target::Existing { .. });
    let signed = &*signed;
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
        let mut connected = flow.complete(store, signed, token, target)?;
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
