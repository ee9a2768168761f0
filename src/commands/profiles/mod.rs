//! `sbctl profiles ...`: the profile store as users see it.

pub mod add;
pub mod list;
mod records;
pub mod remove;
pub mod show;
pub mod transfer;

use super::Ctx;
use crate::error::{Attention, Result};
use clap::Subcommand;

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
        ProfilesCommand::Import(args) => transfer::import(args, ctx),
        ProfilesCommand::Export(args) => transfer::export(args, ctx),
    }
}
