//! `sbctl profiles ...`: the profile store as users see it.

pub mod add;
pub mod edit;
mod every;
pub mod list;
mod records;
pub mod remove;
pub mod show;
pub mod transfer;

use super::Ctx;
use crate::domain::profile::Profile;
use crate::error::{Attention, Result};
use clap::Subcommand;

/// `--tag key=value`, checked as clap reads it.
pub fn tag(text: &str) -> std::result::Result<(String, String), String> {
    crate::domain::profile::parse_tag(text)
}

/// A profile's tags as `key=value, key=value`; a value that would read as more (a
/// comma, an equals sign, a quote) in quotes, JSON-escaped. `None` without any.
pub fn tags_text(p: &Profile) -> Option<String> {
    let tags: Vec<String> = p
        .tags
        .iter()
        .map(|(k, v)| match v.contains([',', '=', '"']) {
            true => format!("{k}={}", serde_json::Value::from(v.as_str())),
            false => format!("{k}={v}"),
        })
        .collect();
    (!tags.is_empty()).then(|| tags.join(", "))
}

/// A profile's owner and tags in a few words, for messages.
pub fn labels_text(p: &Profile) -> String {
    let owner = p.owner.as_deref().unwrap_or("no owner");
    format!("{owner}; {}", tags_text(p).as_deref().unwrap_or("no tags"))
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List profiles and their status (reads the database only: no keyring, no network)
    List(list::ListArgs),
    /// Show everything known about one profile
    Show(show::ShowArgs),
    /// Add a profile: sign in through the browser, or `--with-token` from stdin
    Add(add::AddArgs),
    /// Remove a profile and its tokens
    Remove(remove::RemoveArgs),
    /// Set a profile's owner and tags
    Edit(edit::EditArgs),
    /// Add many profiles from a JSON array or JSON lines, all or nothing
    Import(transfer::ImportArgs),
    /// Write all profiles in the import format (JSON lines) to stdout
    Export(transfer::ExportArgs),
}

pub fn run(cmd: ProfilesCommand, ctx: &Ctx) -> Result<Attention> {
    match cmd {
        ProfilesCommand::List(args) => list::run(args, ctx),
        ProfilesCommand::Show(args) => show::run(args, ctx),
        ProfilesCommand::Add(args) => add::run(args, ctx),
        ProfilesCommand::Remove(args) => remove::run(args, ctx),
        ProfilesCommand::Edit(args) => edit::run(args, ctx),
        ProfilesCommand::Import(args) => transfer::import(args, ctx),
        ProfilesCommand::Export(args) => transfer::export(args, ctx),
    }
}
