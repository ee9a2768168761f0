//! `sbctl token <id>`: the access token on stdout and nothing else, for other tools.

use crate::commands::{relative, Ctx};
use crate::domain::profile::{ProfileId, Reason, Status};
use crate::error::{Attention, Error, Result};
use crate::secrets::get_tokens;
use clap::Args;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The profile id
    pub id: ProfileId,
}

pub fn run(args: TokenArgs, ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let mut profile = ctx.require(store.as_ref(), &args.id)?;
    let fix = format!("run `sbctl reauth {}`", profile.id);
    let health = ctx.health(&profile);
    if health.status == Status::ReauthRequired {
        let why = health.reason.map_or("unknown reason", |r| r.describe());
        return Err(
            Error::needs_reauth(format!("{} needs re-authorization ({why})", profile.id)).hint(fix),
        );
    }
    if let Some(expired) = profile.expires_at.filter(|t| *t <= ctx.now) {
        return Err(Error::needs_reauth(format!(
            "{}: the access token expired {}",
            profile.id,
            relative(expired, ctx.now)
        ))
        .hint(fix));
    }
    let secrets = ctx.secrets(store.as_mut())?;
    match get_tokens(secrets.as_ref(), &profile.id)? {
        Some(tokens) => {
            ctx.ui.data(tokens.access_token.expose());
            Ok(Attention::None)
        }
        None => {
            profile.reauth_reason = Some(Reason::SecretMissing);
            profile.updated_at = ctx.now;
            store.update(&profile)?;
            Err(Error::needs_reauth(format!(
                "{}: no token in the secret store ({})",
                profile.id,
                secrets.location()
            ))
            .hint(fix))
        }
    }
}
