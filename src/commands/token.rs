//! `sbctl token <id>`: a valid access token on stdout and nothing else, renewed first
//! when it expires within `--min-valid`. What other tools call before posting.

use crate::commands::Ctx;
use crate::domain::duration::Duration;
use crate::domain::profile::{Profile, ProfileId, Reason, Status};
use crate::error::{Attention, Error, Result};
use crate::renew::{Mode, Outcome};
use crate::secrets::get_tokens;
use crate::store::ProfileStore;
use crate::view::relative;
use clap::Args;

/// How long `token` waits for another sbctl that is renewing the same profile.
const WAIT_FOR_OTHER: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The profile id
    pub id: ProfileId,
    /// Renew first when the token expires within this
    #[arg(long, value_name = "DUR", default_value = "60s")]
    pub min_valid: Duration,
}

fn needs_reauth(p: &Profile, why: &str) -> Error {
    Error::needs_reauth(format!("{} needs re-authorization ({why})", p.id))
        .hint(format!("run `sbctl reauth {}`", p.id))
}

pub fn run(args: TokenArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let mut profile = ctx.require(store.as_ref(), &args.id)?;
    let mut secrets = ctx.secrets(store.as_mut())?;
    // The token may be back (a restored keyring or backup): look before refusing.
    if profile.reauth_reason() == Some(Reason::SecretMissing)
        && get_tokens(secrets.as_ref(), &profile.id)?.is_some()
        && profile.secret_found(true, ctx.now)
    {
        store.update(&profile)?;
    }
    let short = |p: &Profile, now| {
        p.expires_at
            .is_some_and(|t| t - now <= args.min_valid.as_delta())
    };
    if ctx.health(&profile).status != Status::ReauthRequired
        && short(&profile, ctx.now)
        && profile.renewable
    {
        // Only a renewal has a request out that a signal must not cut.
        crate::interrupt::install(crate::ui::report_warning);
        let engine = ctx.engine(secrets, std::slice::from_ref(&profile.network))?;
        let renewed = renew(ctx, store.as_mut(), &engine, &profile);
        secrets = engine.into_secrets();
        profile = renewed?;
        // Stopped: the renewal that was out is stored; nothing is printed.
        if let Some(signal) = crate::interrupt::received() {
            ctx.ui
                .notice("interrupted: the renewal in flight was completed and stored");
            return Ok(Attention::Interrupted(signal));
        }
    }
    // Judged now, not at the start: a renewal (or a wait for another's) takes time.
    let now = ctx.clock.now();
    let health = profile.status_at(now, ctx.settings.warn_within.as_delta());
    if health.status == Status::ReauthRequired {
        return Err(needs_reauth(
            &profile,
            health.reason.map_or("unknown reason", |r| r.describe()),
        ));
    }
    if let Some(expired) = profile.expires_at.filter(|t| *t <= now) {
        return Err(needs_reauth(
            &profile,
            &format!("the access token expired {}", relative(expired, now)),
        ));
    }
    match get_tokens(secrets.as_ref(), &profile.id)? {
        Some(tokens) => {
            if short(&profile, now) {
                ctx.ui.warn(&format!(
                    "{}: the token expires within {}",
                    profile.id, args.min_valid
                ));
            }
            ctx.ui.data(tokens.access_token.expose());
            Ok(Attention::None)
        }
        None => {
            profile.needs_reauth(Reason::SecretMissing);
            profile.updated_at = ctx.now;
            store.update(&profile)?;
            Err(needs_reauth(
                &profile,
                &format!("no token in the secret store ({})", secrets.location()),
            ))
        }
    }
}

/// Renews now, or waits for the other sbctl that is doing it; returns the profile as
/// stored afterwards. A passing failure leaves a still-valid token usable.
fn renew(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    engine: &crate::renew::Engine,
    profile: &Profile,
) -> Result<Profile> {
    let secrets = engine.secrets();
    let mode = Mode::Refresh { force: true };
    // Waits for another sbctl renewing it: its result is what this one prints.
    match engine.one(store, secrets, &profile.id, (mode, WAIT_FOR_OTHER))? {
        Outcome::Busy => ctx.ui.warn(&format!(
            "{}: another sbctl is still renewing it",
            profile.id
        )),
        Outcome::Failed { failure, message } => {
            let fresh = ctx.require(store, &profile.id)?;
            let valid = fresh.expires_at.is_some_and(|t| t > ctx.clock.now());
            if !valid {
                let err = format!("{}: renewal failed ({message})", profile.id);
                return Err(match failure {
                    crate::domain::failure::Failure::Transient { .. } => {
                        Error::transient(err).hint("try again later")
                    }
                    _ => Error::failed(err),
                });
            }
            ctx.ui.warn(&format!(
                "{}: renewal failed ({message}); the current token still works",
                profile.id
            ));
        }
        Outcome::Unsupported(why) => ctx.ui.debug(&format!("{}: {why}", profile.id)),
        _ => {}
    }
    ctx.require(store, &profile.id)
}
