//! `sbctl refresh (<id>... | --all)`: renew what is due, validate tokens without expiry,
//! and say plainly what needs a person. Made for cron: `--quiet` prints nothing when
//! all is well.

use crate::commands::{attention, Ctx};
use crate::domain::failure::Failure;
use crate::domain::profile::{Health, Profile, ProfileId, Status};
use crate::domain::renewal::{plan, Plan, Policy};
use crate::error::{Attention, Error, Result};
use crate::renew::{Kind, Mode, Outcome, Report};
use crate::spool::Spool;
use crate::store::ProfileStore;
use crate::ui::Tone;
use crate::view::{expiry, profile_json, status_words};
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

/// The profiles named, or all, read one at a time (a fleet of 100,000 is never held
/// whole); an unknown id is an error before anything is done.
enum Selection {
    All,
    Ids(Vec<ProfileId>),
}

impl Selection {
    fn new(ctx: &Ctx, store: &dyn ProfileStore, args: &RefreshArgs) -> Result<Selection> {
        if args.all {
            return Ok(Selection::All);
        }
        for id in &args.ids {
            ctx.require(store, id)?;
        }
        Ok(Selection::Ids(args.ids.clone()))
    }

    /// Each selected profile as stored now (one removed meanwhile is left out).
    fn each(&self, store: &dyn ProfileStore, f: &mut dyn FnMut(Profile)) -> Result<()> {
        let mut pages = Pages::default();
        while let Some(page) = pages.next(self, store)? {
            page.into_iter().for_each(&mut *f);
        }
        Ok(())
    }
}

/// The selected profiles a page at a time, in order: between pages the database is
/// free for other work (opening the secret store when the first due one is found).
#[derive(Default)]
struct Pages {
    all: crate::store::Pages,
    done: bool,
}

impl Pages {
    fn next(
        &mut self,
        selection: &Selection,
        store: &dyn ProfileStore,
    ) -> Result<Option<Vec<Profile>>> {
        match selection {
            Selection::All => Ok(self.all.next(store)?),
            Selection::Ids(_) if self.done => Ok(None),
            Selection::Ids(ids) => {
                self.done = true;
                let mut page = Vec::new();
                for id in ids {
                    page.extend(store.get(id)?);
                }
                Ok(Some(page))
            }
        }
    }
}

pub fn run(args: RefreshArgs, ctx: &Ctx) -> Result<Attention> {
    crate::interrupt::install(crate::ui::report_warning);
    let mut store = ctx.store()?;
    let selection = Selection::new(ctx, store.as_ref(), &args)?;
    let mode = Mode::Refresh { force: args.force };
    if args.dry_run {
        return dry_run(ctx, store.as_ref(), &selection, (mode, args.json));
    }
    // One read of the selection: what is not due is told at once (its summary line
    // waits in a spool, in order); what is due goes to the engine, which starts on
    // the first while the rest is read. The secret store is opened, and the networks
    // resolved, only when something is due.
    let notifier = ctx.notifier();
    let told = notifier.told_before(store.as_ref())?;
    let mut summary = Summary::new(ctx, args.json)?;
    let mut news = Vec::new();
    let mut planned: BTreeMap<ProfileId, usize> = BTreeMap::new();
    let mut read = 0;
    // Settles a profile, or holds its place for the engine's answer; `true` when due.
    let mut sort = |p: Profile| -> Result<bool> {
        read += 1;
        match plan_one(ctx, &p, mode) {
            Plan::Renew | Plan::Validate => {
                summary.hold(&p.id)?;
                planned.insert(p.id, read);
                Ok(true)
            }
            action => {
                let outcome = match action {
                    Plan::NeedsReauth(reason) => Outcome::NeedsReauth(reason),
                    _ => Outcome::NotDue,
                };
                let health = ctx.health(&p);
                summary.add(&p, &health, &outcome, (read, false))?;
                if notifier.may_tell(&p, &health, &told) {
                    news.push((read, p, health));
                }
                Ok(false)
            }
        }
    };
    let mut pages = Pages::default();
    let mut first = Vec::new();
    while first.is_empty() {
        let Some(page) = pages.next(&selection, store.as_ref())? else {
            break;
        };
        for p in page {
            let id = p.id.clone();
            if sort(p)? {
                first.push(id);
            }
        }
    }
    let (mut reports, stopped) = if first.is_empty() {
        (BTreeMap::new(), None)
    } else {
        let concurrency = args.concurrency.unwrap_or(ctx.settings.concurrency) as usize;
        let secrets = ctx.secrets(store.as_mut())?;
        let networks = store.networks()?;
        let engine = ctx.engine(secrets, &networks)?;
        let bar = ctx.ui.progress_growing();
        let done = |r: &Report| {
            if let Some(bar) = &bar {
                bar.inc(1);
                bar.set_message(r.id.to_string());
            }
        };
        let mut failed = None;
        let reports = engine.run_fed((mode, concurrency), &done, |submit| {
            let mut send = |id: ProfileId| {
                if let Some(bar) = &bar {
                    bar.inc_length(1);
                }
                submit(id);
            };
            first.into_iter().for_each(&mut send);
            loop {
                let page = match pages.next(&selection, store.as_ref()) {
                    Ok(Some(page)) => page,
                    Ok(None) => break,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                };
                for p in page {
                    let id = p.id.clone();
                    match sort(p) {
                        Ok(true) => send(id),
                        Ok(false) => {}
                        Err(e) => {
                            failed.get_or_insert(e);
                        }
                    }
                }
            }
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if let Some(e) = failed {
            return Err(e);
        }
        let reports: BTreeMap<ProfileId, Outcome> =
            reports.into_iter().map(|r| (r.id, r.outcome)).collect();
        (reports, engine.stopped())
    };
    if let Some(s) = &stopped {
        ctx.ui.notice(&s.describe("renewals"));
    }
    // The profiles sent to the engine, as they are now (one removed meanwhile is left
    // out), in their places.
    for (id, place) in &planned {
        let Some(fresh) = store.get(id)? else {
            continue;
        };
        let outcome = reports.remove(id).unwrap_or(match stopped {
            Some(_) => Outcome::NotStarted,
            None => Outcome::NotDue,
        });
        let health = ctx.health(&fresh);
        summary.add(&fresh, &health, &outcome, (*place, true))?;
        if notifier.may_tell(&fresh, &health, &told) {
            news.push((*place, fresh, health));
        }
    }
    news.sort_by_key(|(place, ..)| *place);
    let news: Vec<(Profile, Health)> = news.into_iter().map(|(_, p, h)| (p, h)).collect();
    // Stopped: no time for notifications; what was not sent goes out next run.
    if stopped.is_none() {
        for warning in notifier.notify(store.as_mut(), &news) {
            ctx.ui.warn(&warning);
        }
    }
    let outcome = summary.finish()?;
    Ok(match stopped {
        Some(s) => outcome.and(Attention::Interrupted(s.signal)),
        None => outcome,
    })
}

/// What one profile is due for, from the database alone.
fn plan_one(ctx: &Ctx, p: &Profile, mode: Mode) -> Plan {
    let policy = Policy {
        refresh_ahead: ctx.settings.refresh_ahead.as_delta(),
        verify_every: ctx.settings.verify_every.as_delta(),
    };
    if p.renewable && p.refresh_expired(ctx.now) {
        ctx.ui.debug(&format!(
            "{}: not renewed: its refresh token's deadline passed {}",
            p.id,
            crate::view::relative(p.refresh_expires_at.unwrap_or(ctx.now), ctx.now)
        ));
    }
    plan(p, mode, ctx.now, &policy)
}

fn dry_run(
    ctx: &Ctx,
    store: &dyn ProfileStore,
    selection: &Selection,
    (mode, json): (Mode, bool),
) -> Result<Attention> {
    let words = |a: Plan| match a {
        Plan::Renew => "renew",
        Plan::Validate => "validate",
        Plan::NotDue => "not due",
        Plan::NeedsReauth(_) => "needs reauth",
    };
    let mut array = json.then(|| ctx.ui.json_stream());
    let mut rows = ctx.ui.rows();
    // Nothing is sent, so the exit code is what the profiles' statuses say now, as
    // `check` would: a plan that says "needs reauth" is exit 3.
    let mut outcome = Attention::None;
    selection.each(store, &mut |p| {
        outcome = outcome.and(crate::commands::attention(&ctx.health(&p)));
        let action = words(plan_one(ctx, &p, mode));
        match &mut array {
            Some(array) => {
                array.push(&json!({"id": p.id.as_str(), "network": p.network, "action": action}))
            }
            None => rows.push(vec![
                (p.id.to_string(), Tone::Plain),
                (p.network.clone(), Tone::Plain),
                (action.to_owned(), Tone::Plain),
                (expiry(&p, ctx.now), Tone::Plain),
            ]),
        }
    })?;
    match array {
        Some(array) => array.finish(),
        None => ctx.ui.table(&["ID", "NETWORK", "WOULD", "EXPIRES"], rows),
    }
    Ok(outcome)
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
    // An error of sbctl's own carries its fix; an OK profile whose renewal failed this
    // run is fixed by trying again.
    let own = match o {
        Outcome::Error(e) => e.hints.first().cloned(),
        _ => None,
    };
    let fix = own.or_else(|| {
        h.fix(p)
            .or_else(|| not_renewed.then(|| format!("sbctl refresh {}", p.id)))
    })?;
    // A renewal that failed leaves a status that may still read "OK" (the token works
    // for now): never say so of a profile that was not renewed.
    let shown = match h.status {
        Status::Ok if not_renewed => "Not renewed".to_owned(),
        _ => status_words(h, ctx.now).0,
    };
    // The provider's own words where the status words already give the reason.
    let (_, detail) = o.told();
    let why = match o {
        // Its hint is the fix, said once.
        Outcome::Error(e) => crate::error::Error {
            hints: Vec::new(),
            ..e.clone()
        }
        .to_string(),
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

/// What a run says, gathered profile by profile: the count of each outcome, the
/// problems with their fixes, the exit code; with `--json` each profile is printed as
/// it comes.
struct Summary<'a> {
    ctx: &'a Ctx,
    /// With `--json`: each profile's line in the order read, or the place held for a
    /// profile the engine was renewing ("J" and the JSON, or "H" and the id).
    lines: Option<Spool>,
    /// The lines of the held places, once known.
    held: BTreeMap<ProfileId, String>,
    counts: BTreeMap<Kind, usize>,
    total: usize,
    /// Each with the place its profile was read in.
    problems: Vec<(usize, Problem)>,
    attention: Attention,
    broken: bool,
}

impl<'a> Summary<'a> {
    fn new(ctx: &'a Ctx, json: bool) -> Result<Summary<'a>> {
        Ok(Summary {
            ctx,
            lines: json
                .then(Spool::new)
                .transpose()
                .map_err(crate::spool::failed)?,
            held: BTreeMap::new(),
            counts: BTreeMap::new(),
            total: 0,
            problems: Vec::new(),
            attention: Attention::None,
            broken: false,
        })
    }

    /// Keeps the place of a profile whose outcome comes later.
    fn hold(&mut self, id: &ProfileId) -> Result<()> {
        match &mut self.lines {
            Some(lines) => lines
                .write_str(&format!("H{id}\n"))
                .map_err(crate::spool::failed),
            None => Ok(()),
        }
    }

    /// A profile and what this run did with it, read `place`-th; `held` when its
    /// place was kept by `hold`.
    fn add(
        &mut self,
        p: &Profile,
        h: &Health,
        o: &Outcome,
        (place, held): (usize, bool),
    ) -> Result<()> {
        let (kind, detail) = o.told();
        *self.counts.entry(kind).or_default() += 1;
        self.total += 1;
        self.attention = self.attention.and(attention(h));
        self.broken |= matches!(
            o,
            Outcome::Error(_)
                | Outcome::Failed {
                    failure: Failure::Config,
                    ..
                }
        );
        if let Some(problem) = problem(self.ctx, p, h, o) {
            self.problems.push((place, problem));
        }
        let Some(lines) = &mut self.lines else {
            return Ok(());
        };
        let mut v = profile_json(p, h);
        v["outcome"] = json!(kind.word());
        v["detail"] = json!((!detail.is_empty()).then_some(detail));
        if let Outcome::Error(e) = o {
            v["hints"] = json!(e.hints);
        }
        if held {
            self.held.insert(p.id.clone(), v.to_string());
            Ok(())
        } else {
            lines
                .write_str(&format!("J{v}\n"))
                .map_err(crate::spool::failed)
        }
    }

    /// `12 profiles: 10 renewed, 2 failed` and each problem with its fix.
    fn text(&self) -> String {
        let summary: Vec<String> = self
            .counts
            .iter()
            .map(|(kind, n)| match kind {
                // "2 need reauth"; the JSON's word stays "needs reauth".
                Kind::NeedsReauth if *n != 1 => format!("{n} need reauth"),
                kind => format!("{n} {}", kind.word()),
            })
            .collect();
        let mut text = match self.total {
            0 => "no profiles to renew\n".to_owned(),
            1 => format!("1 profile: {}\n", summary.join(", ")),
            n => format!("{n} profiles: {}\n", summary.join(", ")),
        };
        for (
            _,
            Problem {
                id,
                shown,
                why,
                fix,
            },
        ) in &self.problems
        {
            let why = why
                .as_ref()
                .map(|w| format!(": {}", crate::ui::one_line(w)))
                .unwrap_or_default();
            text.push_str(&format!("  {id}: {shown}{why}\n    fix: {fix}\n"));
        }
        text
    }

    fn finish(mut self) -> Result<Attention> {
        let ui = &self.ctx.ui;
        self.problems.sort_by_key(|(place, _)| *place);
        if !(ui.is_quiet() && self.problems.is_empty()) && self.lines.is_none() {
            ui.data(&crate::ui::printable(&self.text()));
        }
        if let Some(lines) = self.lines.take() {
            let mut array = ui.json_stream();
            let mut held = std::mem::take(&mut self.held);
            let mut push = |line: &str| {
                let json = match line.split_at_checked(1) {
                    Some(("J", json)) => Some(json.to_owned()),
                    Some(("H", id)) => ProfileId::parse(id).ok().and_then(|id| held.remove(&id)),
                    _ => None,
                };
                if let Some(raw) =
                    json.and_then(|j| serde_json::value::RawValue::from_string(j).ok())
                {
                    array.push(&raw);
                }
            };
            lines.lines(&mut push).map_err(crate::spool::failed)?;
            array.finish();
        }
        if self.broken {
            return Err(Error::failed(
                "some profiles could not be renewed because of sbctl's or the provider's configuration (see above)",
            ));
        }
        Ok(self.attention)
    }
}
