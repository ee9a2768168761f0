//! `sbctl profiles list`: which profiles need re-authorization, and why.

use super::{profile_view, table_row, TABLE_HEADERS};
use crate::commands::Ctx;
use crate::domain::profile::Status;
use crate::error::{Attention, Result};
use crate::store::ListFilter;
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only profiles of this network
    #[arg(long, value_name = "N")]
    pub network: Option<String>,
    /// Only profiles with this status
    #[arg(long, value_enum, value_name = "S")]
    pub status: Option<StatusArg>,
    /// Only profiles that need re-authorization (same as --status reauth_required)
    #[arg(long, conflicts_with = "status")]
    pub needs_reauth: bool,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum StatusArg {
    Ok,
    Expiring,
    RefreshFailed,
    ReauthRequired,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Ok => Status::Ok,
            StatusArg::Expiring => Status::Expiring,
            StatusArg::RefreshFailed => Status::RefreshFailed,
            StatusArg::ReauthRequired => Status::ReauthRequired,
        }
    }
}

pub fn run(args: ListArgs, ctx: &Ctx) -> Result<Attention> {
    if let Some(n) = &args.network {
        ctx.settings.provider(n)?;
    }
    let wanted: Option<Status> = if args.needs_reauth {
        Some(Status::ReauthRequired)
    } else {
        args.status.map(Status::from)
    };
    let store = ctx.store()?;
    let filter = ListFilter {
        network: args.network.clone(),
    };
    // Read row by row, each profile dropped once shown: 10,000 rows stay small.
    let keep = |p: &crate::domain::profile::Profile| {
        let h = ctx.health(p);
        wanted.is_none_or(|s| h.status == s).then_some(h)
    };
    if args.json {
        let mut array = ctx.ui.json_stream();
        store.each(&filter, &mut |p| {
            if let Some(h) = keep(&p) {
                array.push(&profile_view(&p, &h));
            }
        })?;
        array.finish();
        return Ok(Attention::None);
    }
    let mut rows = crate::ui::Rows::default();
    store.each(&filter, &mut |p| {
        if let Some(h) = keep(&p) {
            rows.push(table_row(&p, &h, ctx.now));
        }
    })?;
    if rows.is_empty() {
        if wanted.is_none() && args.network.is_none() {
            ctx.ui.info(
                "no profiles yet: add one with `sbctl profiles add <id> --network <network>`",
            );
        } else {
            ctx.ui.info("no profiles match");
        }
    } else {
        ctx.ui.table(&TABLE_HEADERS, rows);
    }
    Ok(Attention::None)
}
