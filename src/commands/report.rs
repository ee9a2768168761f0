//! `sbctl report --html FILE`: one self-contained page for people who would rather look
//! than read a table: the profiles grouped by status (the urgent ones open), each with
//! its badge, deadline, who connected it and the command that fixes it, and a timeline
//! of the deadlines over the next 90 days. No script, no external asset; every field is
//! escaped. Reads the database only.

use crate::commands::Ctx;
use crate::domain::profile::{Health, Profile, Status, Timestamp};
use crate::error::{Attention, Result};
use crate::spool::Spool;
use crate::store::{ListFilter, ProfileStore};
use crate::ui::html_escape as esc;
use crate::view::deadline_words;
use crate::view::status_words;
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the page to FILE (replaced atomically)
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
}

/// Days the timeline shows.
const DAYS: i64 = 90;

pub fn run(args: ReportArgs, ctx: &Ctx) -> Result<Attention> {
    let store = ctx.store()?;
    // Read once: each group's rows wait in a spool and the timeline keeps counts, so
    // a page of a million profiles costs the memory of a page of ten.
    let gathered = gather(store.as_ref(), ctx)?;
    let total = gathered.total;
    ctx.write_output(Some(&args.html), |out| gathered.write(out, ctx))?;
    ctx.ui.info(&format!(
        "wrote {} ({})",
        args.html.display(),
        crate::ui::count(total, "profile", "profiles")
    ));
    Ok(Attention::None)
}

/// The groups, most urgent first: heading, badge class, open at first.
const GROUPS: [(Status, &str, &str, bool); 4] = [
    (Status::ReauthRequired, "Reauth required", "bad", true),
    (Status::RefreshFailed, "Refresh failed", "warn", true),
    (Status::Expiring, "Expiring", "warn", true),
    (Status::Ok, "OK", "good", false),
];

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}\
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd}\
summary{font-weight:600;font-size:1.15em;cursor:pointer;margin:.6em 0}\
.badge{display:inline-block;padding:.1em .6em;border-radius:1em;font-size:.85em;color:#fff}\
.bad{background:#d32f2f}.warn{background:#ef8f00}.good{background:#2e7d32}\
code{background:#f3f3f3;padding:.1em .3em}.muted{color:#777}";

/// The fleet read: each group's table rows, spooled, and the timeline's counts.
struct Gathered {
    total: usize,
    /// Per `GROUPS` entry: its rows and how many.
    groups: Vec<(Spool, usize)>,
    timeline: Timeline,
}

fn gather(store: &dyn ProfileStore, ctx: &Ctx) -> Result<Gathered> {
    let mut groups = Vec::new();
    for _ in GROUPS {
        groups.push((Spool::new().map_err(crate::spool::failed)?, 0));
    }
    let mut gathered = Gathered {
        total: 0,
        groups,
        timeline: Timeline::default(),
    };
    let (now, mut row) = (ctx.now, String::new());
    let mut failed = None;
    store.each(&ListFilter::default(), &mut |p| {
        let h = ctx.health(&p);
        gathered.total += 1;
        gathered.timeline.add(&p, &h, now);
        let Some(g) = GROUPS.iter().position(|(s, ..)| *s == h.status) else {
            return;
        };
        row.clear();
        write_row(&mut row, &p, &h, (GROUPS[g].2, now));
        let (spool, n) = &mut gathered.groups[g];
        *n += 1;
        if let Err(e) = spool.write_str(&row) {
            failed.get_or_insert(e);
        }
    })?;
    match failed {
        Some(e) => Err(crate::spool::failed(e)),
        None => Ok(gathered),
    }
}

/// One profile's table row.
fn write_row(out: &mut String, p: &Profile, h: &Health, (class, now): (&str, Timestamp)) {
    let fix = h
        .fix(p)
        .map_or(String::new(), |f| format!("<code>{}</code>", esc(&f)));
    let account = p
        .account_name
        .as_deref()
        .or(p.account_id.as_deref())
        .unwrap_or("-");
    let _ = write!(
        out,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><span class=\"badge {class}\">{}</span></td>\
         <td>{}</td><td>{}</td><td>{}</td><td>{fix}</td></tr>",
        esc(p.id.as_str()),
        esc(&p.network),
        esc(account),
        esc(&status_words(h, now).0),
        esc(&deadline_words(h, now)),
        esc(&owner_and_tags(p)),
        esc(p.connected_by.as_deref().unwrap_or("-")),
    );
}

/// Whose a profile is, as the report shows it: the owner, then the tags.
fn owner_and_tags(p: &Profile) -> String {
    let tags = crate::commands::profiles::tags_text(p);
    let words: Vec<String> = p.owner.iter().cloned().chain(tags).collect();
    if words.is_empty() {
        "-".into()
    } else {
        words.join(", ")
    }
}

impl Gathered {
    fn write(self, out: &mut dyn std::io::Write, ctx: &Ctx) -> std::io::Result<()> {
        let now = ctx.now;
        write!(
            out,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sbctl report</title><style>{STYLE}</style></head><body>\
             <h1>Social profiles: who needs a person</h1><p class=\"muted\">{} profiles, {} on {}.</p>",
            self.total,
            now.format("%Y-%m-%d %H:%M UTC"),
            esc(ctx.settings.user_at_host())
        )?;
        out.write_all(b"<h2>Deadlines in the next 90 days</h2>")?;
        out.write_all(self.timeline.svg().as_bytes())?;
        for ((_, heading, class, open), (rows, n)) in GROUPS.iter().zip(self.groups) {
            if n == 0 {
                continue;
            }
            write!(
                out,
                "<details{}><summary><span class=\"badge {class}\">{heading}</span> {n}</summary>\
                 <table><tr><th>Profile</th><th>Network</th><th>Account</th><th>Status</th>\
                 <th>Deadline</th><th>Owner, tags</th><th>Connected by</th><th>Fix</th></tr>",
                if *open { " open" } else { "" },
            )?;
            rows.copy_to(out)?;
            out.write_all(b"</table></details>")?;
        }
        out.write_all(b"</body></html>\n")
    }
}

/// The deadlines of the next 90 days: per day and badge class, how many profiles
/// fall due and the first 20 of their ids (escaped).
struct Timeline {
    days: Vec<[(usize, Vec<String>); 3]>,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            days: vec![Default::default(); DAYS as usize + 1],
        }
    }
}

/// The badge classes in the order a day's bar is stacked, bottom up.
const CLASSES: [&str; 3] = ["bad", "warn", "good"];

/// Ids named in a bar's tooltip; the rest are counted.
const NAMED: usize = 20;

impl Timeline {
    fn add(&mut self, p: &Profile, h: &Health, now: Timestamp) {
        let class = match h.status {
            Status::ReauthRequired => 0,
            Status::Expiring | Status::RefreshFailed => 1,
            Status::Ok => 2,
        };
        let day = match (h.status, h.deadline) {
            (Status::ReauthRequired, _) => 0,
            (_, Some(d)) if (d - now).num_days() <= DAYS => (d - now).num_days().max(0),
            _ => return,
        };
        let (n, ids) = &mut self.days[day as usize][class];
        *n += 1;
        if ids.len() < NAMED {
            // The owner beside the id: whom to ask, from the tooltip.
            ids.push(match &p.owner {
                Some(owner) => esc(&format!("{} ({owner})", p.id)),
                None => esc(p.id.as_str()),
            });
        }
    }

    /// An inline SVG: a bar a day for the deadlines falling on it (red where the
    /// profile needs a person now, amber within the warning window, green beyond),
    /// today marked.
    fn svg(&self) -> String {
        let (width, height, top) = (900.0_f64, 160.0_f64, 20.0_f64);
        let day_width = width / DAYS as f64;
        let most = self
            .days
            .iter()
            .map(|d| d.iter().map(|(n, _)| n).sum::<usize>())
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{}\" height=\"{}\" \
             aria-label=\"Deadlines over the next 90 days\">",
            width + 40.0,
            height + 40.0
        );
        for (day, classes) in self.days.iter().enumerate() {
            let mut y = top + height;
            for (class, (n, ids)) in CLASSES.iter().zip(classes) {
                let n = *n;
                if n == 0 {
                    continue;
                }
                let h = height * n as f64 / most;
                y -= h;
                let more = if n > NAMED {
                    format!(" and {} more", n - NAMED)
                } else {
                    String::new()
                };
                let color = match *class {
                    "bad" => "#d32f2f",
                    "warn" => "#ef8f00",
                    _ => "#2e7d32",
                };
                let _ = write!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{color}\">\
                     <title>{}: {n} ({}{more})</title></rect>",
                    20.0 + day as f64 * day_width,
                    (day_width - 1.0).max(1.0),
                    if day == 0 { "now".to_owned() } else { format!("in {day}d") },
                    ids.join(", ")
                );
            }
        }
        for tick in (0..=DAYS).step_by(15) {
            let x = 20.0 + tick as f64 * day_width;
            let label = if tick == 0 {
                "today".to_owned()
            } else {
                format!("+{tick}d")
            };
            let _ = write!(
                svg,
                "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{}\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{label}</text>",
                top + height,
                if tick == 0 { "#000" } else { "#ccc" },
                top + height + 16.0
            );
        }
        svg.push_str("</svg>");
        svg
    }
}
