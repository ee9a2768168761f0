//! `sbctl profiles ...`: the profile store as users see it.

pub mod add;
pub mod list;
pub mod remove;
pub mod show;
pub mod transfer;

use super::{relative, status_words, Ctx};
use crate::domain::profile::{Health, Profile, Timestamp};
use crate::error::{Attention, Result};
use clap::Subcommand;
use serde_json::{json, Value};

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

fn rfc3339(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| {
        Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    })
}

/// The JSON object of a profile (SPEC `profiles list --json` fields, and a few more).
pub fn profile_json(p: &Profile, h: &Health) -> Value {
    json!({
        "id": p.id.as_str(),
        "network": p.network,
        "account_name": p.account_name,
        "account_id": p.account_id,
        "status": h.status.as_str(),
        "reason": h.reason.map(|r| r.as_str()),
        "expires_at": rfc3339(p.expires_at),
        "refresh_expires_at": rfc3339(p.refresh_expires_at),
        "data_access_expires_at": rfc3339(p.data_access_expires_at),
        "deadline": rfc3339(h.deadline),
        "renewable": p.renewable,
        "last_refreshed_at": rfc3339(p.last_refreshed_at),
        "last_checked_at": rfc3339(p.last_checked_at),
        "connected_by": p.connected_by,
        "scopes": p.scopes,
        "last_error": p.last_error,
        "created_at": rfc3339(Some(p.created_at)),
        "updated_at": rfc3339(Some(p.updated_at)),
    })
}

/// `in 12d`, `3d ago` or `never`.
pub fn relative_or_never(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map_or("never".into(), |t| relative(t, now))
}

/// The table row of `profiles list` and `check`.
pub fn table_row(p: &Profile, h: &Health, now: Timestamp) -> Vec<(String, crate::ui::Tone)> {
    use crate::ui::Tone::Plain;
    let account = p
        .account_name
        .clone()
        .or_else(|| p.account_id.clone())
        .unwrap_or_else(|| "-".into());
    vec![
        (p.id.to_string(), Plain),
        (p.network.clone(), Plain),
        (account, Plain),
        status_words(h, now),
        (relative_or_never(p.expires_at, now), Plain),
        (relative_or_never(p.last_refreshed_at, now), Plain),
    ]
}

pub const TABLE_HEADERS: [&str; 6] = [
    "ID",
    "NETWORK",
    "ACCOUNT",
    "STATUS",
    "EXPIRES",
    "LAST REFRESH",
];
