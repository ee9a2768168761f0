//! `sbctl profiles edit <id> [--owner EMAIL] [--tag key=value]... [--untag key]...`:
//! whom to contact about a profile, and the team's labels for it. Only these change,
//! in one transaction; a renewal in progress is neither waited for nor disturbed (it
//! never writes them).

use crate::commands::Ctx;
use crate::domain::profile::{parse_owner, parse_tag_key, ProfileId};
use crate::error::{Attention, Error, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The profile to change
    pub id: ProfileId,
    /// Whom to contact about it: an e-mail address; "" removes the owner
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// Set a tag, key=value (as client=acme); repeat for more
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = super::tag)]
    pub tags: Vec<(String, String)>,
    /// Remove a tag; repeat for more
    #[arg(long = "untag", value_name = "KEY", value_parser = parse_tag_key)]
    pub untags: Vec<String>,
}

pub fn run(args: EditArgs, ctx: &Ctx) -> Result<Attention> {
    if args.owner.is_none() && args.tags.is_empty() && args.untags.is_empty() {
        return Err(Error::usage(format!(
            "nothing to change for {}: give --owner, --tag or --untag",
            args.id
        )));
    }
    if let Some(key) = args
        .untags
        .iter()
        .find(|k| args.tags.iter().any(|(t, _)| t == *k))
    {
        return Err(Error::usage(format!(
            "tag `{key}` is both set and removed: give one of --tag {key}=... and --untag {key}"
        )));
    }
    let owner = match args.owner.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(text) => Some(Some(parse_owner(text).map_err(Error::usage)?)),
    };
    let mut store = ctx.store()?;
    let profile = store
        .edit_labels(&args.id, &mut |owner_now, tags| {
            if let Some(owner) = &owner {
                owner_now.clone_from(owner);
            }
            for key in &args.untags {
                tags.remove(key);
            }
            tags.extend(args.tags.iter().cloned());
        })?
        .ok_or_else(|| crate::commands::no_such(&args.id))?;
    ctx.ui
        .info(&format!("{}: {}", profile.id, super::labels_text(&profile)));
    Ok(Attention::None)
}
