//! `sbctl profiles show <id>`: everything known about one profile, and what to do.

use crate::commands::Ctx;
use crate::domain::profile::{ProfileId, Timestamp};
use crate::error::{Attention, Result};
use crate::view::profile_json;
use crate::view::{relative, status_words};
use clap::Args;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The profile id
    pub id: ProfileId,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ShowArgs, ctx: &Ctx) -> Result<Attention> {
    let store = ctx.store()?;
    let p = ctx.require(store.as_ref(), &args.id)?;
    let h = ctx.health(&p);
    if args.json {
        ctx.ui.json(&profile_json(&p, &h));
        return Ok(Attention::None);
    }
    let now = ctx.now;
    let at = |t: Option<Timestamp>, none: &str| {
        t.map_or(none.to_owned(), |t| {
            format!("{} ({})", t.format("%Y-%m-%d %H:%M UTC"), relative(t, now))
        })
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let network = crate::networks::spec(&p.network)
        .map_or(p.network.clone(), |s| format!("{} ({})", s.name, s.title));
    let mut lines = vec![
        ("id", p.id.to_string()),
        ("network", network),
        ("account", text(&p.account_name)),
        ("account id", text(&p.account_id)),
        ("status", status_words(&h, now).0),
        // The moment nothing but the user can move: the token's end when nothing
        // renews it, the refresh token's (LinkedIn), or Facebook's data access.
        ("re-authorize by", at(h.deadline, "-")),
        (
            "expires",
            at(
                p.expires_at,
                if p.expires_never { "never" } else { "unknown" },
            ),
        ),
        ("refresh token expires", at(p.refresh_expires_at, "-")),
        ("data access expires", at(p.data_access_expires_at, "-")),
        (
            "renews itself",
            if p.renewable { "yes" } else { "no" }.to_owned(),
        ),
        (
            "scopes",
            if p.scopes.is_empty() {
                "-".into()
            } else {
                p.scopes.join(" ")
            },
        ),
        ("last refreshed", at(p.last_refreshed_at, "never")),
        ("last checked", at(p.last_checked_at, "never")),
        ("last error", text(&p.last_error)),
        ("connected by", text(&p.connected_by)),
        ("through user", text(&p.login_id)),
        ("owner", text(&p.owner)),
        ("tags", super::tags_text(&p).unwrap_or_else(|| "-".into())),
        ("added", at(Some(p.created_at), "-")),
    ];
    if let Some(fix) = h.fix(&p) {
        lines.push(("fix", fix));
    }
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    let out: String = lines
        .iter()
        .map(|(k, v)| format!("{:width$} {}\n", format!("{k}:"), crate::ui::one_line(v)))
        .collect();
    ctx.ui.data(&out);
    Ok(Attention::None)
}
