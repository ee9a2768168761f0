//! `sbctl refresh (<id>... | --all)`: renew what is due, validate tokens without expiry,
//! and say plainly what needs a person. Made for cron: `--quiet` prints nothing when
//! all is well.

use crate::commands::{attention, Ctx};
use crate::domain::failure::Failure;
use crate::domain::profile::{Health, Profile, ProfileId, Status};
use crate::domain::renewal::{plan, Plan, Policy};
use crate::error::{Attention, Error, Result};
use crate::renew::{Kind, Mode, Outcome, Report};
use crate::store::{ListFilter, ProfileStore};
use crate::ui::Tone;
use crate::view::{profile_json, relative_or_never, status_words};
use clap::Args;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["ids", "all"]))]
pub struct RefreshArgs {
    /// The profiles to renew
    pub ids: Vec<ProfileId>,
    /// Every profile
    #[arg(long)]
    pub all: bool,
    /// Renew every renewable token, due or not
    #[arg(long)]
    pub force: bool,
    /// Print what would be done, and do nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Renewals at once [default: `concurrency` from the config, 8]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: Option<u32>,
    /// Print JSON instead of a summary
    #[arg(long)]
    pub json: bool,
}

/// The profiles named, or all; an unknown id is an error before anything is done.
fn select(
    ctx: &Ctx,
    store: &dyn ProfileStore,
    all: bool,
    ids: &[ProfileId],
) -> Result<Vec<Profile>> {
    if all {
        return Ok(store.list(&ListFilter::default())?);
    }
    ids.iter().map(|id| ctx.require(store, id)).collect()
}

pub fn run(args: RefreshArgs, ctx: &Ctx) -> Result<Attention> {
    crate::interrupt::install(crate::ui::report_warning);
    let mut store = ctx.store()?;
    let profiles = select(ctx, store.as_ref(), args.all, &args.ids)?;
    let mode = Mode::Refresh { force: args.force };
    let plans = plans(ctx, profiles, mode);
    if args.dry_run {
        return dry_run(ctx, &plans, args.json);
    }
    let work: Vec<ProfileId> = plans
        .iter()
        .filter(|(_, a)| matches!(a, Plan::Renew | Plan::Validate))
        .map(|(p, _)| p.id.clone())
        .collect();
    let networks: Vec<String> = plans.iter().map(|(p, _)| p.network.clone()).collect();
    let (mut reports, stopped) = if work.is_empty() {
        (BTreeMap::new(), None)
    } else {
        let concurrency = args.concurrency.unwrap_or(ctx.settings.concurrency) as usize;
        let secrets = ctx.secrets(store.as_mut())?;
        let engine = ctx.engine(secrets, &networks)?;
        let reports = renew_all(ctx, &engine, work, (mode, concurrency));
        (reports, engine.stopped())
    };
    if let Some(s) = &stopped {
        ctx.ui.notice(&s.describe("renewals"));
    }
    // The statuses as they are now, for the summary, the exit code and notifications.
    let mut after = Vec::new();
    for (p, action) in &plans {
        // Removed by another sbctl meanwhile: nothing left to report or notify.
        let Some(fresh) = store.get(&p.id)? else {
            continue;
        };
        let outcome = reports.remove(&p.id).unwrap_or(match action {
            Plan::NeedsReauth(reason) => Outcome::NeedsReauth(*reason),
            Plan::Renew | Plan::Validate if stopped.is_some() => Outcome::NotStarted,
            _ => Outcome::NotDue,
        });
        let health = ctx.health(&fresh);
        after.push((fresh, health, outcome));
    }
    // Stopped: no time for notifications; what was not sent goes out next run.
    if stopped.is_none() {
        let pairs: Vec<_> = after.iter().map(|(p, h, _)| (p.clone(), *h)).collect();
        for warning in ctx.notifier().notify(store.as_mut(), &pairs) {
            ctx.ui.warn(&warning);
        }
    }
    let outcome = report(ctx, &after, args.json)?;
    Ok(match stopped {
        Some(s) => outcome.and(Attention::Interrupted(s.signal)),
        None => outcome,
    })
}

/// What each profile is due for, from the database alone.
fn plans(ctx: &Ctx, profiles: Vec<Profile>, mode: Mode) -> Vec<(Profile, Plan)> {
    let policy = Policy {
        refresh_ahead: ctx.settings.refresh_ahead.as_delta(),
        verify_every: ctx.settings.verify_every.as_delta(),
    };
    profiles
        .into_iter()
        .map(|p| {
            let action = plan(&p, mode, ctx.now, &policy);
            if p.renewable && p.refresh_expired(ctx.now) {
                ctx.ui.debug(&format!(
                    "{}: not renewed: its refresh token's deadline passed {}",
                    p.id,
                    crate::view::relative(p.refresh_expires_at.unwrap_or(ctx.now), ctx.now)
                ));
            }
            (p, action)
        })
        .collect()
}

/// Runs the engine over `work` with a progress bar; each profile's outcome.
fn renew_all(
    ctx: &Ctx,
    engine: &crate::renew::Engine,
    work: Vec<ProfileId>,
    (mode, concurrency): (Mode, usize),
) -> BTreeMap<ProfileId, Outcome> {
    let bar = ctx.ui.progress(work.len());
    let done = |r: &Report| {
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(r.id.to_string());
        }
    };
    let reports = engine
        .run(work, mode, concurrency, &done)
        .into_iter()
        .map(|r| (r.id, r.outcome))
        .collect();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    reports
}

fn dry_run(ctx: &Ctx, plans: &[(Profile, Plan)], json: bool) -> Result<Attention> {
    let words = |a: &Plan| match a {
        Plan::Renew => "renew",
        Plan::Validate => "validate",
        Plan::NotDue => "not due",
        Plan::NeedsReauth(_) => "needs reauth",
    };
    if json {
        ctx.ui.json_array(
            plans.iter().map(
                |(p, a)| json!({"id": p.id.as_str(), "network": p.network, "action": words(a)}),
            ),
        );
    } else {
        let rows = plans
            .iter()
            .map(|(p, a)| {
                vec![
                    (p.id.to_string(), Tone::Plain),
                    (p.network.clone(), Tone::Plain),
                    (words(a).to_owned(), Tone::Plain),
                    (relative_or_never(p.expires_at, ctx.now), Tone::Plain),
                ]
            })
            .collect();
        ctx.ui.table(&["ID", "NETWORK", "WOULD", "EXPIRES"], rows);
    }
    Ok(Attention::None)
}

/// A profile that needs someone after this run: its id, status words, why, and the
/// command that fixes it.
struct Problem {
    id: String,
    shown: String,
    why: Option<String>,
    fix: String,
}

/// What is wrong with a profile after this run, if anything.
fn problem(ctx: &Ctx, p: &Profile, h: &Health, o: &Outcome) -> Option<Problem> {
    let not_renewed = matches!(o, Outcome::Error(_) | Outcome::Failed { .. });
    // An OK profile whose renewal failed this run is fixed by trying again.
    let fix = h
        .fix(&p.id)
        .or_else(|| not_renewed.then(|| format!("sbctl refresh {}", p.id)))?;
    // A renewal that failed leaves a status that may still read "OK" (the token works
    // for now): never say so of a profile that was not renewed.
    let shown = match h.status {
        Status::Ok if not_renewed => "Not renewed".to_owned(),
        _ => status_words(h, ctx.now).0,
    };
    // The provider's own words where the status words already give the reason.
    let (_, detail) = o.told();
    let why = match o {
        Outcome::NeedsReauth(_) => p.last_error.clone().unwrap_or_default(),
        _ if detail.is_empty() => p.last_error.clone().unwrap_or_default(),
        _ => detail,
    };
    let why = (!why.is_empty() && !shown.contains(&why)).then_some(why);
    Some(Problem {
        id: p.id.to_string(),
        shown,
        why,
        fix,
    })
}

/// `12 profiles: 10 renewed, 2 failed` and each problem with its fix.
fn summary(after: &[(Profile, Health, Outcome)], problems: &[Problem]) -> String {
    let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
    for (_, _, o) in after {
        *counts.entry(o.told().0).or_default() += 1;
    }
    let summary: Vec<String> = counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.word()))
        .collect();
    let mut text = match after.len() {
        0 => "no profiles to renew\n".to_owned(),
        1 => format!("1 profile: {}\n", summary.join(", ")),
        n => format!("{n} profiles: {}\n", summary.join(", ")),
    };
    for Problem {
        id,
        shown,
        why,
        fix,
    } in problems
    {
        let why = why
            .as_ref()
            .map(|w| format!(": {}", crate::ui::one_line(w)))
            .unwrap_or_default();
        text.push_str(&format!("  {id}: {shown}{why}\n    fix: {fix}\n"));
    }
    text
}

fn report(ctx: &Ctx, after: &[(Profile, Health, Outcome)], json: bool) -> Result<Attention> {
    let outcome = after
        .iter()
        .fold(Attention::None, |a, (_, h, _)| a.and(attention(h)));
    let broken = after.iter().any(|(_, _, o)| {
        matches!(
            o,
            Outcome::Error(_)
                | Outcome::Failed {
                    failure: Failure::Config,
                    ..
                }
        )
    });
    let problems: Vec<Problem> = after
        .iter()
        .filter_map(|(p, h, o)| problem(ctx, p, h, o))
        .collect();
    if json {
        ctx.ui.json_array(after.iter().map(|(p, h, o)| {
            let (kind, detail) = o.told();
            let mut v = profile_json(p, h);
            v["outcome"] = json!(kind.word());
            v["detail"] = json!((!detail.is_empty()).then_some(detail));
            v
        }));
    } else if !(ctx.ui.is_quiet() && problems.is_empty()) {
        ctx.ui
            .data(&crate::ui::printable(&summary(after, &problems)));
    }
    if broken {
        return Err(Error::failed(
            "some profiles could not be renewed because of sbctl's or the provider's configuration (see above)",
        ));
    }
    Ok(outcome)
}
