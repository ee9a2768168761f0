//! `sbctl profiles list`: which profiles need re-authorization, and why.

use crate::commands::Ctx;
use crate::domain::profile::{Health, Profile, Status};
use crate::error::{Attention, Result};
use crate::store::{ListFilter, Order};
use crate::view::{profile_view, Column};
use clap::{Args, ValueEnum};
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only profiles of this network
    #[arg(long, value_name = "N")]
    pub network: Option<String>,
    /// Only profiles with this status
    #[arg(long, value_enum, value_name = "S")]
    pub status: Option<Status>,
    /// Only profiles that need re-authorization (same as --status reauth_required)
    #[arg(long, conflicts_with = "status")]
    pub needs_reauth: bool,
    /// Only profiles of this owner
    #[arg(long, value_name = "EMAIL", value_parser = crate::domain::profile::parse_owner)]
    pub owner: Option<String>,
    /// Only profiles with this tag, key=value; repeat: with every one of them
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = super::tag)]
    pub tags: Vec<(String, String)>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
    /// Order: by id (default), network, status (most urgent first) or deadline
    /// (soonest first)
    #[arg(long, value_enum, value_name = "KEY", default_value = "id")]
    pub sort: SortKey,
    /// The table's columns, comma-separated
    /// [default: id,network,account,status,deadline,expires,last-refresh]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "C,...")]
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    Id,
    Network,
    Status,
    Deadline,
}

/// How urgent a profile is, most urgent first: for `--sort status` and `deadline`.
fn urgency(h: &Health) -> u8 {
    match h.status {
        Status::ReauthRequired => 0,
        Status::RefreshFailed => 1,
        Status::Expiring => 2,
        Status::Ok => 3,
    }
}

/// The store's reading order for `key`: it sorts as it reads, so that a sorted
/// million is never held here.
fn order(key: SortKey, ctx: &Ctx) -> Order {
    let (now, warn) = (ctx.now, ctx.settings.warn_within.as_delta());
    let health = move |p: &Profile| p.status_at(now, warn);
    match key {
        SortKey::Id => Order::Id,
        SortKey::Network => Order::Network,
        SortKey::Status => Order::Key(Arc::new(move |p| i64::from(urgency(&health(p))))),
        // Those who must act now, then the soonest deadline; none last.
        SortKey::Deadline => Order::Key(Arc::new(move |p| {
            let h = health(p);
            match (h.status, h.deadline) {
                (Status::ReauthRequired, d) => i64::MIN + d.map_or(0, |d| d.timestamp()).max(0),
                (_, Some(d)) => d.timestamp().min(i64::MAX - 1),
                (_, None) => i64::MAX,
            }
        })),
    }
}

pub fn run(args: ListArgs, ctx: &Ctx) -> Result<Attention> {
    if let Some(n) = &args.network {
        ctx.settings.provider(n)?;
    }
    let wanted: Option<Status> = if args.needs_reauth {
        Some(Status::ReauthRequired)
    } else {
        args.status
    };
    let store = ctx.store()?;
    let filter = ListFilter {
        network: args.network.clone(),
        owner: args.owner.clone(),
        tags: args.tags.iter().cloned().collect(),
        order: order(args.sort, ctx),
        ..Default::default()
    };
    // Read row by row, each profile dropped once shown (a table's rows past a few
    // megabytes wait in a temporary file): a million cost what ten thousand do.
    let keep = |p: &crate::domain::profile::Profile| {
        let h = ctx.health(p);
        wanted.is_none_or(|s| h.status == s).then_some(h)
    };
    let columns = if args.columns.is_empty() {
        Column::DEFAULT.to_vec()
    } else {
        args.columns.clone()
    };
    // A profile as it is printed: a JSON object, or a table row.
    let mut array = args.json.then(|| ctx.ui.json_stream());
    let mut rows = ctx.ui.rows();
    let mut show = |p: &Profile, h: &Health| match &mut array {
        Some(array) => array.push(&profile_view(p, h)),
        None => {
            for (i, c) in columns.iter().enumerate() {
                rows.write_cell(i, |out| c.write(out, p, h, ctx.now));
            }
        }
    };
    store.each(&filter, &mut |p| {
        if let Some(h) = keep(&p) {
            show(&p, &h);
        }
    })?;
    if let Some(array) = array {
        array.finish();
        return Ok(Attention::None);
    }
    if rows.is_empty() {
        let filtered = args.network.is_some() || args.owner.is_some() || !args.tags.is_empty();
        if wanted.is_none() && !filtered {
            ctx.ui.info(
                "no profiles yet: add one with `sbctl profiles add <id> --network <network>`",
            );
        } else {
            ctx.ui.info("no profiles match");
        }
    } else {
        let headers: Vec<&str> = columns.iter().map(|c| c.header()).collect();
        ctx.ui.table(&headers, rows);
    }
    Ok(Attention::None)
}
