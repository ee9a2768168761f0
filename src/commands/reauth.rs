//! `sbctl reauth <id>`, and the wiring of the sign-in flow (`crate::connect`) that it
//! shares with `profiles add`: the flow's parts from the settings, the renewal lease
//! around an existing profile's new tokens, and what the terminal is told.

use crate::commands::authorize::Given;
use crate::commands::Ctx;
use crate::config::Provider;
use crate::connect::{Connected, Flow, OpenBrowser, Origin, Reached, Retired, SignedIn, Target};
use crate::domain::duration::Duration;
use crate::domain::profile::ProfileId;
use crate::error::{Attention, Error, Result};
use crate::networks::Net;
use crate::oauth::browser::Opened;
use crate::secrets::SecretStore;
use crate::store::{ListFilter, ProfileStore};
use crate::view::status_words;
use clap::Args;
use oauth2::reqwest::blocking::Client as Http;

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
    /// Sign in on any other device instead (RFC 8628): print an address and a code to
    /// enter there, and wait until the code expires
    #[arg(long, conflicts_with_all = ["no_browser", "port"])]
    pub device: bool,
}

impl FlowArgs {
    /// The sign-in these flags ask for at `net`, opening `browser` unless
    /// `--no-browser`.
    pub fn flow<'a>(
        &self,
        ctx: &'a Ctx,
        (net, http): (&'a Net, &'a Http),
        browser: OpenBrowser<'a>,
    ) -> Flow<'a> {
        Flow {
            net,
            http,
            prompt: &ctx.ui,
            browser: (!self.no_browser).then_some(browser),
            port: self.port.unwrap_or(net.redirect_port),
            timeout: self.timeout.as_delta().to_std().unwrap_or_default(),
            now: ctx.now,
            by: ctx.settings.user_at_host(),
        }
    }
}

/// The browser sbctl opens: `$BROWSER`, else the platform's.
pub fn browser(ctx: &Ctx) -> impl Fn(&str) -> std::result::Result<Opened, String> + '_ {
    |url: &str| crate::oauth::browser::open(url, ctx.settings.browser.as_deref())
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
    #[arg(long, conflicts_with_all = ["no_browser", "port", "device", "only_this"])]
    pub with_token: bool,
    /// Renew only this profile, not the others the same sign-in reaches (the other
    /// Pages of one Facebook user)
    #[arg(long)]
    pub only_this: bool,
}

/// Whether a re-authorization renews the other profiles its sign-in reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Siblings {
    Renew,
    Skip,
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
    let siblings = match args.only_this {
        true => Siblings::Skip,
        false => Siblings::Renew,
    };
    connect(
        ctx,
        store.as_mut(),
        provider,
        target,
        (&args.flow, siblings),
    )
}

/// Runs the browser flow for `target` at `provider` and stores the result.
pub fn connect(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    provider: &Provider,
    target: Target,
    (args, siblings): (&FlowArgs, Siblings),
) -> Result<Attention> {
    let id = target.id().clone();
    let login = match &target {
        Target::Existing { profile, .. } => profile.login_id.clone(),
        Target::New { .. } => None,
    };
    let http = ctx.http();
    let secrets = ctx.secrets(store)?;
    let net = ctx.resolve(provider, secrets.as_ref(), &http)?;
    let browser = browser(ctx);
    let flow = args.flow(ctx, (&net, &http), &browser);
    let mut reached = None;
    let (connected, signed) = sign_in(
        ctx,
        &flow,
        (&id, args.device),
        |s| {
            complete(
                ctx,
                &flow,
                (&mut *store, secrets.as_ref()),
                target,
                s,
                &mut reached,
            )
        },
        |browser, result| crate::connect::answer_browser(browser, &id, result),
    )?;
    let typed = signed.typed();
    let attention = conclude(ctx, &flow, store, connected)?;
    match (siblings, reached) {
        (Siblings::Renew, Some(reached)) => {
            let sibling = Sibling { of: &id, login };
            let more = renew_siblings(
                ctx,
                &flow,
                (store, secrets.as_ref()),
                sibling,
                reached,
                typed,
            )?;
            Ok(attention.and(more))
        }
        _ => Ok(attention),
    }
}

/// One sign-in's tokens, in the browser or (`--device`) on another device, handed to
/// `then` to be completed; a browser that waits is answered by `page` with how that
/// ended. What comes back keeps the terminal's lines, for questions after it.
pub fn sign_in<T>(
    ctx: &Ctx,
    flow: &Flow,
    (id, device): (&ProfileId, bool),
    then: impl FnOnce(SignInResult) -> Result<T>,
    page: impl FnOnce(&mut SignedIn, &Result<T>),
) -> Result<(T, SignIn)> {
    if device {
        let token = flow.device(id)?;
        let lines = crate::connect::Prompter::typed(&ctx.ui);
        let done = then((token, Origin::Device, lines.as_ref()))?;
        return Ok((
            done,
            SignIn {
                signed: None,
                lines,
            },
        ));
    }
    let mut signed = flow.sign_in(id)?;
    let result = flow
        .exchange(id, &mut signed)
        .and_then(|token| then((token, Origin::Browser(&signed), signed.typed())));
    page(&mut signed, &result);
    let signed = SignIn {
        signed: Some(signed),
        lines: None,
    };
    Ok((result?, signed))
}

/// A finished sign-in: the browser's, or the device flow's terminal.
pub struct SignIn {
    signed: Option<SignedIn>,
    lines: Option<std::sync::mpsc::Receiver<String>>,
}

impl SignIn {
    /// Lines typed on the terminal, when there is one.
    pub fn typed(&self) -> Option<&std::sync::mpsc::Receiver<String>> {
        self.signed
            .as_ref()
            .and_then(SignedIn::typed)
            .or(self.lines.as_ref())
    }
}

/// A sign-in's tokens: the token endpoint's answer, where it came from and the
/// terminal's lines (to choose an account on).
pub type SignInResult<'a> = (
    serde_json::Value,
    Origin<'a>,
    Option<&'a std::sync::mpsc::Receiver<String>>,
);

/// Completes a sign-in at `target` and stores it (`settle`); what it reached is kept
/// in `reached` for the profiles it reaches besides.
fn complete(
    ctx: &Ctx,
    flow: &Flow,
    (store, secrets): (&mut dyn ProfileStore, &dyn SecretStore),
    target: Target,
    (token, origin, typed): SignInResult,
    reached: &mut Option<Reached>,
) -> Result<Connected> {
    settle(ctx, (store, secrets), target, |store, target| {
        let mut r = flow.reach(target.id(), Some(store), origin, token)?;
        let connected = flow.complete_from(Some(store), &mut r, target, typed);
        *reached = Some(r);
        connected
    })
}

/// The profile re-authorized, and the network's user it was connected through.
struct Sibling<'a> {
    of: &'a ProfileId,
    login: Option<String>,
}

/// Renews with the same sign-in the other profiles it reaches (the other Pages of one
/// Facebook user), after asking at a terminal; says which of that user's profiles it
/// no longer reaches. Each is held to the identity rule under its own lease.
fn renew_siblings(
    ctx: &Ctx,
    flow: &Flow,
    (store, secrets): (&mut dyn ProfileStore, &dyn SecretStore),
    sibling: Sibling,
    mut reached: Reached,
    typed: Option<&std::sync::mpsc::Receiver<String>>,
) -> Result<Attention> {
    if crate::interrupt::received().is_some() {
        // Asked to stop: the profile named is stored, and that is all.
        return Ok(Attention::None);
    }
    let reachable: std::collections::HashSet<String> = reached
        .connections
        .iter()
        .filter_map(|c| c.account.as_ref().map(|a| a.id.clone()))
        .collect();
    let (mut renew, mut lost) = (Vec::new(), Vec::new());
    let filter = ListFilter {
        network: Some(flow.net.name.clone()),
        ..Default::default()
    };
    store.each(&filter, &mut |p| {
        if p.id == *sibling.of {
            return;
        }
        let same_login = p.login_id == sibling.login;
        let reached = p.account_id.as_ref().is_some_and(|a| reachable.contains(a));
        // Connected through another user of the network: not this sign-in's to renew.
        let other_login = p.login_id.is_some() && sibling.login.is_some() && !same_login;
        if reached && !other_login {
            renew.push(p);
        } else if sibling.login.is_some() && same_login {
            lost.push(p);
        }
    })?;
    let mut attention = Attention::None;
    for p in &lost {
        ctx.ui.warn(&format!(
            "{}: this sign-in does not reach {} any more (not managed by this user now, or not selected); it was left as it was",
            p.id,
            crate::connect::who(p.account_name.as_deref(), p.account_id.as_deref().unwrap_or("?"))
        ));
        attention = attention.and(reauth_only(&ctx.health(p)));
    }
    if renew.is_empty() {
        return Ok(attention);
    }
    let ids: Vec<&str> = renew.iter().map(|p| p.id.as_str()).collect();
    let listed = ids.join(", ");
    if let Some(lines) = typed {
        let question = format!("This sign-in also reaches {listed}. Renew them too?");
        if !flow.confirm(&question, lines) {
            ctx.ui.info(&format!("{listed}: left as they were"));
            return Ok(attention);
        }
    } else {
        ctx.ui
            .info(&format!("renewing with the same sign-in: {listed}"));
    }
    for p in renew {
        let health = ctx.health(&p);
        let target = Target::Existing {
            profile: Box::new(p),
            allow_account_change: false,
        };
        let done = settle(ctx, (store, secrets), target, |store, target| {
            flow.complete_from(Some(store), &mut reached, target, None)
        });
        let concluded = done.and_then(|connected| conclude(ctx, flow, store, connected));
        attention = attention.and(match concluded {
            Ok(more) => more,
            Err(e) => {
                ctx.ui.warn(&e.to_string());
                reauth_only(&health)
            }
        });
    }
    Ok(attention)
}

/// What a profile left as it was means for the exit code: 3 if it needs a person.
fn reauth_only(health: &crate::domain::profile::Health) -> Attention {
    match crate::commands::attention(health) {
        Attention::Reauth => Attention::Reauth,
        _ => Attention::None,
    }
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
        Given::Carried(c, _) => {
            let now = crate::secrets::get_tokens(secrets, target.id())
                .ok()
                .flatten();
            flow.carried(*c, target, now.as_ref())
        }
        Given::Token(token) => flow.complete_given(store, token, target),
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
