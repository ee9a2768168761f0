//! `sbctl profiles remove <id>`: the token leaves the secret store first, then the row
//! goes; a failure in between leaves a visible row (`secret_missing`), never a token
//! hidden on disk with no profile to show it.

use crate::commands::Ctx;
use crate::domain::profile::ProfileId;
use crate::error::{Attention, Error, Result};
use crate::secrets::profile_key;
use clap::Args;

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
    if args.revoke {
        return Err(Error::failed(format!(
            "{}: revoking tokens at {} is not supported yet; nothing was removed",
            profile.id, profile.network
        ))
        .hint(format!(
            "run `sbctl profiles remove {}` without --revoke and revoke the app's access in the network's settings",
            profile.id
        )));
    }
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
    let secrets = ctx.secrets(store.as_mut())?;
    secrets.delete_many(&[profile_key(&profile.id)])?;
    store.delete(&profile.id)?;
    ctx.ui
        .info(&format!("removed {} and its tokens", profile.id));
    Ok(Attention::None)
}
