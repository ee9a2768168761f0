//! `sbctl secrets rekey --to KEY`: rotating the age key of the file secret store. A new
//! data key, sealed to the new key, and every value sealed again with it, so that the
//! old key (with any copy of the file) opens nothing written afterwards. And `sbctl
//! secrets recipient`: this host's public age key, for `sbctl authorize --to`.

use crate::commands::Ctx;
use crate::error::{Attention, Error, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Rotate the file store's age key: every secret is sealed again, under a new data key
    Rekey(RekeyArgs),
    /// Print this host's age recipient (made on first use), for `sbctl authorize --to`
    /// on a machine with a browser
    Recipient,
}

#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// The new age key file (`age-keygen -o KEY`, mode 600); the current key comes
    /// from SBCTL_SECRETS_KEY_FILE, SBCTL_SECRETS_KEY or secrets_key_file
    #[arg(long, value_name = "KEY")]
    pub to: PathBuf,
}

pub fn run(cmd: SecretsCommand, ctx: &Ctx) -> Result<Attention> {
    match cmd {
        SecretsCommand::Rekey(args) => rekey(args, ctx),
        SecretsCommand::Recipient => recipient(ctx),
    }
}

/// Prints this host's recipient: what a sign-in made elsewhere is sealed to.
fn recipient(ctx: &Ctx) -> Result<Attention> {
    let mut store = ctx.store()?;
    let secrets = ctx.secrets(store.as_mut())?;
    ctx.remember_secret_store(store.as_mut(), secrets.as_ref())?;
    // Made under the database's write lock (an empty batch of profiles, rolled back):
    // of two first uses at once, the second finds the first's identity.
    let lock = store.adding()?;
    let identity = crate::secrets::host::identity(secrets.as_ref())?;
    drop(lock);
    ctx.ui.data(&identity.to_public().to_string());
    Ok(Attention::None)
}

fn rekey(args: RekeyArgs, ctx: &Ctx) -> Result<Attention> {
    if ctx.settings.secrets_key.is_none() {
        return Err(Error::failed("no secrets key is set, so there is none to rotate")
            .hint("to encrypt the secrets, set SBCTL_SECRETS_KEY_FILE (or secrets_key_file) to an age key: the next write seals them"));
    }
    let s = &ctx.settings;
    let (count, moved) =
        crate::secrets::rekey((&s.secrets_file, s.secrets_key.as_ref()), &args.to)?;
    if let Some(moved) = moved {
        ctx.ui.notice(&moved);
    }
    ctx.ui.info(&format!(
        "the {} in {} now open with {} only: set SBCTL_SECRETS_KEY_FILE (or secrets_key_file) to it",
        crate::ui::count(count, "secret", "secrets"),
        ctx.settings.secrets_file.display(),
        args.to.display()
    ));
    Ok(Attention::None)
}
