//! `sbctl metrics [--output FILE]`: the fleet's state in the Prometheus text format, for
//! node_exporter's textfile collector. Reads the database only (no keyring, no
//! network); with `--output` the file is replaced atomically, so the collector never
//! reads half of it.

use crate::commands::Ctx;
use crate::domain::profile::{Profile, Status, Timestamp};
use crate::error::{Attention, Result};
use crate::store::ListFilter;
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Write to FILE (replaced atomically, mode 0644) instead of stdout, e.g.
    /// /var/lib/prometheus/node-exporter/sbctl.prom
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

const STATUSES: [Status; 4] = [
    Status::Ok,
    Status::Expiring,
    Status::RefreshFailed,
    Status::ReauthRequired,
];

pub fn run(args: MetricsArgs, ctx: &Ctx) -> Result<Attention> {
    let store = ctx.store()?;
    let mut profiles = Vec::new();
    store.each(&ListFilter::default(), &mut |p| profiles.push(p))?;
    let text = render(&profiles, ctx);
    match &args.output {
        None => ctx.ui.data(&text),
        Some(path) => ctx.write_output(path, &text)?,
    }
    Ok(Attention::None)
}

/// A label value in the text format: backslash, quote and line break escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One metric family: its help, type and samples.
struct Family<'a> {
    name: &'a str,
    help: &'a str,
    samples: Vec<(String, i64)>,
}

impl<'a> Family<'a> {
    fn new(name: &'a str, help: &'a str) -> Family<'a> {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }
}

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

fn render(profiles: &[Profile], ctx: &Ctx) -> String {
    let now = ctx.now;
    let secs = |t: Option<Timestamp>| t.map(|t| t.timestamp());
    let mut status = Family::new(
        "sbctl_profile_status",
        "1 for the profile's status, 0 for the others (ok, expiring, refresh_failed, reauth_required)",
    );
    let mut per_profile = PER_PROFILE.map(|(name, help)| Family::new(name, help));
    let mut totals: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for p in profiles {
        let h = ctx.health(p);
        let labels = format!(
            "id=\"{}\",network=\"{}\"",
            label(p.id.as_str()),
            label(&p.network)
        );
        for s in STATUSES {
            status.samples.push((
                format!("{labels},status=\"{}\"", s.as_str()),
                i64::from(h.status == s),
            ));
            *totals.entry((p.network.as_str(), s.as_str())).or_default() +=
                i64::from(h.status == s);
        }
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
                family.samples.push((labels.clone(), v));
            }
        }
    }
    let fleet = Family {
        name: "sbctl_profiles",
        help: "Profiles by network and status",
        samples: totals
            .into_iter()
            .map(|((network, s), n)| (format!("network=\"{}\",status=\"{s}\"", label(network)), n))
            .collect(),
    };
    let build = Family {
        name: "sbctl_build_info",
        help: "The sbctl that wrote these metrics",
        samples: vec![(format!("version=\"{}\"", env!("CARGO_PKG_VERSION")), 1)],
    };
    let generated = Family {
        name: "sbctl_metrics_generated_timestamp_seconds",
        help: "When these metrics were written (Unix time): alert when it grows old",
        samples: vec![(String::new(), now.timestamp())],
    };
    let families = std::iter::once(&status)
        .chain(per_profile.iter())
        .chain([&fleet, &build, &generated]);
    exposition(families)
}

/// The Prometheus text format of `families`, leaving out those without samples.
fn exposition<'a>(families: impl Iterator<Item = &'a Family<'a>>) -> String {
    let mut out = String::new();
    for f in families.filter(|f| !f.samples.is_empty()) {
        let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
        let _ = writeln!(out, "# TYPE {} gauge", f.name);
        for (labels, value) in &f.samples {
            if labels.is_empty() {
                let _ = writeln!(out, "{} {value}", f.name);
            } else {
                let _ = writeln!(out, "{}{{{labels}}} {value}", f.name);
            }
        }
    }
    out
}
