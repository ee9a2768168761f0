//! `sbctl profiles remove <id>`: the token leaves the secret store first, then the row
//! goes; a failure in between leaves a visible row (`secret_missing`), never a token
//! hidden on disk with no profile to show it.

use crate::commands::Ctx;
use crate::config::Reach;
use crate::domain::profile::Profile;
use crate::domain::profile::ProfileId;
use crate::error::{Attention, Error, Result};
use crate::networks::Revocation;
use crate::secrets::{get_tokens, profile_key, SecretStore};
use clap::Args;

/// How long `remove` waits for a renewal of the profile to finish.
const WAIT_FOR_RENEWAL: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The profile id
    pub id: ProfileId,
    /// Also revoke the tokens at the network
    #[arg(long)]
    pub revoke: bool,
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

pub fn run(args: RemoveArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let profile = ctx.require(store.as_ref(), &args.id)?;
    if !args.yes {
        if !ctx.ui.stdin_is_terminal() {
            return Err(Error::usage(format!(
                "{}: removing needs confirmation; pass --yes when not at a terminal",
                profile.id
            )));
        }
        if !ctx.ui.confirm(&format!(
            "Remove profile {} ({}) and its tokens?",
            profile.id, profile.network
        )) {
            return Err(Error::failed(format!("{}: not removed", profile.id)));
        }
    }
    let mut secrets = ctx.secrets(store.as_mut())?;
    // Hold the profile's renewal lease, so that a renewal running now cannot store a
    // new token after ours is deleted (a token on disk with no profile to show it).
    // A network that revokes with the access token (TikTok): an expired one is renewed
    // first (and the renewal stored, as ever, in case the revocation then fails).
    let expired = profile.expires_at.is_some_and(|t| t <= ctx.now);
    let spec = crate::networks::spec(&profile.network);
    let with_access_token = spec.is_some_and(|s| s.network.revokes_with_access_token());
    let title = spec.map_or(profile.network.as_str(), |s| s.title);
    if args.revoke && with_access_token && profile.renewable && expired {
        let engine = ctx.engine(secrets, std::slice::from_ref(&profile.network))?;
        let mode = crate::renew::Mode::Refresh { force: true };
        use crate::renew::Outcome;
        let wait = std::time::Duration::from_secs(30);
        let outcome = engine.one(store.as_mut(), engine.secrets(), &profile.id, (mode, wait));
        secrets = engine.into_secrets();
        let why = match outcome? {
            Outcome::Renewed => None,
            Outcome::Failed { message, .. } => Some(message),
            Outcome::NeedsReauth(reason) => Some(reason.describe().to_owned()),
            Outcome::Busy => Some("another sbctl is renewing it".to_owned()),
            _ => Some("it cannot be renewed now".to_owned()),
        };
        if let Some(why) = why {
            return Err(Error::failed(format!(
                "{}: its access token has expired and {} revokes only with a live one, which could not be had ({why}); nothing was removed",
                profile.id, title
            ))
            .hint(format!(
                "run `sbctl profiles remove {}` without --revoke, and remove the app in {title}'s settings",
                profile.id
            )));
        }
    }
    let what = (WAIT_FOR_RENEWAL, "nothing was removed");
    crate::renew::under_lease(
        ctx.lease_terms(),
        store.as_mut(),
        &profile.id,
        what,
        |store| {
            if args.revoke {
                revoke(ctx, &profile, secrets.as_ref())?;
            }
            secrets.delete_many(&[profile_key(&profile.id)])?;
            store.delete(&profile.id)?;
            Ok(())
        },
    )?;
    ctx.ui
        .info(&format!("removed {} and its tokens", profile.id));
    Ok(Attention::None)
}

/// Revokes at the network first: when that fails, nothing is removed, so that the user
/// can try again rather than lose the token that could still be revoked.
fn revoke(ctx: &Ctx, p: &Profile, secrets: &dyn SecretStore) -> Result<()> {
    let keep = |why: String| {
        Error::failed(format!("{}: {why}; nothing was removed", p.id)).hint(format!(
            "try again later, or run `sbctl profiles remove {}` without --revoke and revoke the app's access in the network's settings",
            p.id
        ))
    };
    let provider = ctx.settings.provider(&p.network)?;
    // Said first: no client id or secret can make up for a network without the API.
    let config_path = ctx.settings.config_path.display().to_string();
    if let Some(words) = crate::networks::no_revocation(provider, &config_path) {
        return Err(not_offered(p, words));
    }
    let Some(tokens) = get_tokens(secrets, &p.id)? else {
        return Err(keep("no token is stored to revoke".into()));
    };
    let http = ctx.http();
    let net = ctx.resolve(provider, secrets, &http)?;
    match net.revoke(&http, &tokens, ctx.now) {
        Ok(Revocation::Done) if net.revocation_ends_every_grant() => {
            ctx.ui
                .info(&format!("{}: access revoked at {}", p.id, p.network));
            Ok(())
        }
        // Each re-authorization revoked the tokens it replaced (or warned that it could
        // not): sbctl held the only grant it knows of.
        Ok(Revocation::Done) if net.revocation == Reach::Token => {
            ctx.ui.info(&format!(
                "{}: its tokens were revoked at {}, as were those each re-authorization replaced",
                p.id, p.network
            ));
            Ok(())
        }
        // Only what sbctl held is known to be gone: a sign-in before the last one may
        // have left a grant of its own.
        Ok(Revocation::Done) => {
            ctx.ui.info(&format!(
                "{}: its tokens were revoked at {}; grants from earlier sign-ins, if any, may still be live there (it may end only the token it is given): to be sure, remove the app in the account's settings, or set `revocation` for the provider (see the README)",
                p.id, p.network
            ));
            Ok(())
        }
        Ok(Revocation::NotOffered(words)) => Err(not_offered(p, words)),
        Err(problem) => Err(keep(problem.to_string())),
    }
}

/// The network has no way to revoke: nothing is removed, and the user is told where to
/// remove the app instead.
fn not_offered(p: &Profile, words: &str) -> Error {
    Error::failed(format!(
        "{}: cannot revoke at {}: {words}; nothing was removed",
        p.id, p.network
    ))
    .hint(format!(
        "run `sbctl profiles remove {}` without --revoke, then revoke the app's access as above",
        p.id
    ))
}
