//! `sbctl metrics [--output FILE]`: the fleet's state in the Prometheus text format, for
//! node_exporter's textfile collector. Reads the database only (no keyring, no
//! network); with `--output` the file is replaced atomically, so the collector never
//! reads half of it.

use crate::commands::Ctx;
use crate::domain::profile::{Status, Timestamp};
use crate::error::{Attention, Result};
use crate::spool::Spool;
use crate::store::{ListFilter, ProfileStore};
use clap::Args;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Write to FILE (replaced atomically, mode 0644) instead of stdout, e.g.
    /// /var/lib/prometheus/node-exporter/sbctl.prom
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only the fleet's totals, no series per profile (up to nine a profile: a fleet
    /// of a million would be millions of series, more than most Prometheus set-ups
    /// take)
    #[arg(long)]
    pub fleet_only: bool,
}

const STATUSES: [Status; 4] = [
    Status::Ok,
    Status::Expiring,
    Status::RefreshFailed,
    Status::ReauthRequired,
];

pub fn run(args: MetricsArgs, ctx: &Ctx) -> Result<Attention> {
    let store = ctx.store()?;
    // Read once: each profile's samples go to their family's spool as they are read,
    // and the families are written one after the other: memory stays flat however
    // large the fleet.
    let gathered = gather(store.as_ref(), ctx, !args.fleet_only)?;
    ctx.write_output(args.output.as_deref(), |out| gathered.write(out, ctx.now))?;
    Ok(Attention::None)
}

/// A label value in the text format: backslash, quote and line break escaped.
fn label(value: &str) -> Cow<'_, str> {
    if !value.contains(['\\', '"', '\n']) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n"),
    )
}

/// One metric family whose samples wait in a spool.
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Spool,
}

impl Family {
    fn new((name, help): (&'static str, &'static str)) -> std::io::Result<Family> {
        Ok(Family {
            name,
            help,
            samples: Spool::new()?,
        })
    }

    fn add(&mut self, labels: &str, value: i64, line: &mut String) -> std::io::Result<()> {
        line.clear();
        let _ = writeln!(line, "{}{{{labels}}} {value}", self.name);
        self.samples.write_str(line)
    }

    /// The family in the text format; nothing when it has no sample.
    fn write(self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.samples.is_empty() {
            return Ok(());
        }
        header(out, self.name, self.help)?;
        self.samples.copy_to(out)
    }
}

fn header(out: &mut dyn Write, name: &str, help: &str) -> std::io::Result<()> {
    writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge")
}

const STATUS: (&str, &str) = (
    "sbctl_profile_status",
    "1 for the profile's status, 0 for the others (ok, expiring, refresh_failed, reauth_required)",
);

/// The gauges with one sample per profile (where it has a value), in this order.
const PER_PROFILE: [(&str, &str); 5] = [
    (
        "sbctl_profile_deadline_timestamp_seconds",
        "When the profile stops working unless someone acts (Unix time)",
    ),
    (
        "sbctl_profile_access_token_expiry_timestamp_seconds",
        "When the current access token expires (Unix time)",
    ),
    (
        "sbctl_profile_last_renewal_timestamp_seconds",
        "When the token was last renewed or connected (Unix time)",
    ),
    (
        "sbctl_profile_last_check_timestamp_seconds",
        "When the provider was last asked whether the token works (Unix time)",
    ),
    (
        "sbctl_profile_renewal_failures",
        "Renewals that failed in a row since the last success",
    ),
];

/// The fleet read: the per-profile families (none with `--fleet-only`) and the totals.
struct Gathered {
    /// The status family, then `PER_PROFILE`'s.
    families: Vec<Family>,
    /// Per network, how many profiles have each of `STATUSES`.
    totals: BTreeMap<String, [i64; 4]>,
}

fn gather(store: &dyn ProfileStore, ctx: &Ctx, per_profile: bool) -> Result<Gathered> {
    let mut families = Vec::new();
    if per_profile {
        for f in std::iter::once(STATUS).chain(PER_PROFILE) {
            families.push(Family::new(f).map_err(crate::spool::failed)?);
        }
    }
    let secs = |t: Option<Timestamp>| t.map(|t| t.timestamp());
    let mut totals: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    let (mut labels, mut line) = (String::new(), String::new());
    let mut failed = None;
    store.each(&ListFilter::default(), &mut |p| {
        let h = ctx.health(&p);
        let counts = STATUSES.map(|s| i64::from(h.status == s));
        match totals.get_mut(p.network.as_str()) {
            Some(n) => n.iter_mut().zip(counts).for_each(|(n, c)| *n += c),
            None => {
                totals.insert(p.network.clone(), counts);
            }
        }
        let Some((status, per_profile)) = families.split_first_mut() else {
            return;
        };
        labels.clear();
        let _ = write!(
            labels,
            "id=\"{}\",network=\"{}\"",
            label(p.id.as_str()),
            label(&p.network)
        );
        let base = labels.len();
        let mut wrote = Ok(());
        for s in STATUSES {
            labels.truncate(base);
            let _ = write!(labels, ",status=\"{}\"", s.as_str());
            wrote = wrote.and_then(|()| status.add(&labels, i64::from(h.status == s), &mut line));
        }
        labels.truncate(base);
        // A deadline that is only "now" (re-authorization needed, no date of its own)
        // would move with every scrape: left out; the status says it.
        let deadline = h.deadline.filter(|d| p.deadline(ctx.now) == Some(*d));
        let values = [
            secs(deadline),
            secs(p.expires_at),
            secs(p.last_refreshed_at),
            secs(p.last_checked_at),
            Some(i64::from(p.renewal_failures())),
        ];
        for (family, value) in per_profile.iter_mut().zip(values) {
            if let Some(v) = value {
                wrote = wrote.and_then(|()| family.add(&labels, v, &mut line));
            }
        }
        if let Err(e) = wrote {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(crate::spool::failed(e));
    }
    Ok(Gathered { families, totals })
}

impl Gathered {
    /// The Prometheus text format, the families in their order.
    fn write(self, out: &mut dyn Write, now: Timestamp) -> std::io::Result<()> {
        for family in self.families {
            family.write(out)?;
        }
        if !self.totals.is_empty() {
            header(out, "sbctl_profiles", "Profiles by network and status")?;
            // By network, then by the status's name.
            let mut statuses: Vec<(usize, &str)> =
                STATUSES.iter().map(|s| s.as_str()).enumerate().collect();
            statuses.sort_by_key(|(_, name)| *name);
            for (network, counts) in &self.totals {
                for (i, status) in &statuses {
                    writeln!(
                        out,
                        "sbctl_profiles{{network=\"{}\",status=\"{status}\"}} {}",
                        label(network),
                        counts[*i]
                    )?;
                }
            }
        }
        header(
            out,
            "sbctl_build_info",
            "The sbctl that wrote these metrics",
        )?;
        writeln!(
            out,
            "sbctl_build_info{{version=\"{}\",commit=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            env!("SBCTL_BUILD_COMMIT")
        )?;
        header(
            out,
            "sbctl_metrics_generated_timestamp_seconds",
            "When these metrics were written (Unix time): alert when it grows old",
        )?;
        writeln!(
            out,
            "sbctl_metrics_generated_timestamp_seconds {}",
            now.timestamp()
        )
    }
}
