//! `sbctl check`: the profiles that need attention, from local state (the database and
//! the secret store), or with `--online` after asking each provider whether each token
//! still works. Exit 0, 3, 4 or 5 (SPEC).

use crate::commands::{attention, Ctx};
use crate::domain::profile::{Health, Profile, Reason, Status};
use crate::error::{Attention, Result};
use crate::secrets::{profile_key, SecretStore};
use crate::store::{ListFilter, Pages};
use crate::ui::{Rows, Tone};
use crate::view::{profile_view, status_words};
use clap::Args;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Validate every token with its provider (introspection or userinfo)
    #[arg(long)]
    pub online: bool,
    /// Print JSON (the profiles needing attention) instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: CheckArgs, ctx: &Ctx) -> Result<Attention> {
    if args.online {
        crate::interrupt::install(crate::ui::report_warning);
    }
    let mut store = ctx.store()?;
    let secrets = ctx.secrets(store.as_mut())?;
    let (unchecked, secrets) = if args.online {
        validate_all(ctx, store.as_mut(), secrets)?
    } else {
        (Unchecked::default(), secrets)
    };
    let notifier = ctx.notifier();
    let told = notifier.told_before(store.as_ref())?;
    // Tokens are looked up, not read: a sealed store the key does not open (or no
    // key) is found here once, as reading them used to find it.
    secrets.probe()?;
    let mut seen = Seen::new();
    let mut shown = Shown::new(ctx, args.json);
    let mut news = Vec::new();
    // Read a page at a time, its tokens looked up together: a million profiles cost
    // what a thousand do.
    let mut pages = Pages::default();
    while let Some(page) = pages.next(store.as_ref())? {
        let keys: Vec<String> = page.iter().map(|p| profile_key(&p.id)).collect();
        let present = secrets.contains_many(&keys)?;
        for (mut p, present) in page.into_iter().zip(present) {
            // A token that went missing from the secret store is found here, and one
            // that came back (a restored keyring) clears the mark.
            let never_had = p.reauth_reason() == Some(Reason::NotAuthorized);
            if p.secret_found(never_had || present, ctx.now) {
                store.update(&p)?;
            }
            let h = ctx.health(&p);
            seen.add(&p, &h);
            if h.status != Status::Ok {
                shown.add(&p, &h);
            }
            if notifier.may_tell(&p, &h, &told) {
                news.push((p, h));
            }
        }
    }
    // Stopped: no time for notifications; what was not sent goes out next run.
    if unchecked.stopped.is_none() {
        for w in notifier.notify(store.as_mut(), &news) {
            ctx.ui.warn(&w);
        }
    }
    if seen.cut_off > 0 {
        ctx.ui.warn(&format!(
            "{} started and not finished (in progress now, or cut off when sbctl was stopped); the next `sbctl refresh` will settle whether {}",
            crate::ui::count(seen.cut_off, "renewal was", "renewals were"),
            if seen.cut_off == 1 {
                "its token still works"
            } else {
                "their tokens still work"
            }
        ));
    }
    shown.finish(&unchecked, &seen);
    if unchecked.config > 0 {
        return Err(crate::error::Error::failed(
            "some profiles could not be checked because of sbctl's or the provider's configuration (see above)",
        ));
    }
    let mut outcome = seen.outcome;
    // A check that could not be made is a passing failure: exit 4 unless worse.
    if unchecked.failed > 0 {
        outcome = outcome.and(Attention::Transient);
    }
    if let Some(signal) = unchecked.stopped {
        outcome = outcome.and(Attention::Interrupted(signal));
    }
    Ok(outcome)
}

/// What the reading found, in counts.
struct Seen {
    total: usize,
    /// Renewals started and not finished (cut off while the provider answered, or
    /// under way): with a rotating refresh token the grant may be gone, which only
    /// the next renewal can tell.
    cut_off: usize,
    outcome: Attention,
}

impl Seen {
    fn new() -> Seen {
        Seen {
            total: 0,
            cut_off: 0,
            outcome: Attention::None,
        }
    }

    fn add(&mut self, p: &Profile, h: &Health) {
        self.total += 1;
        if p.renewal_started_at.is_some() {
            self.cut_off += 1;
        }
        if h.status != Status::Ok {
            self.outcome = self.outcome.and(attention(h));
        }
    }
}

/// The profiles that need attention, written as they are found: a JSON array, or a
/// table's rows.
struct Shown<'a> {
    ctx: &'a Ctx,
    array: Option<crate::ui::JsonStream>,
    rows: Rows,
}

impl<'a> Shown<'a> {
    fn new(ctx: &'a Ctx, json: bool) -> Shown<'a> {
        Shown {
            ctx,
            array: json.then(|| ctx.ui.json_stream()),
            rows: ctx.ui.rows(),
        }
    }

    fn add(&mut self, p: &Profile, h: &Health) {
        match &mut self.array {
            Some(array) => array.push(&profile_view(p, h)),
            None => self.rows.push(vec![
                (p.id.to_string(), Tone::Plain),
                (p.network.clone(), Tone::Plain),
                status_words(h, self.ctx.now),
                (h.fix(p).unwrap_or_default(), Tone::Plain),
            ]),
        }
    }

    /// Ends the array, or prints the table or that none needs attention; `unchecked`
    /// of the profiles seen could not be checked online.
    fn finish(self, unchecked: &Unchecked, seen: &Seen) {
        let ctx = self.ctx;
        if let Some(array) = self.array {
            array.finish();
        } else if self.rows.is_empty() && unchecked.total() == 0 && seen.cut_off == 0 {
            ctx.ui.info("all profiles are OK");
        } else if self.rows.is_empty() && unchecked.total() == 0 {
            ctx.ui
                .info("no profile needs attention, but a renewal has not finished (see above)");
        } else if self.rows.is_empty() {
            ctx.ui.info(&format!(
                "no profile needs attention, but {} of {} could not be checked online (see above)",
                unchecked.total(),
                seen.total
            ));
        } else {
            ctx.ui.table(&["ID", "NETWORK", "STATUS", "FIX"], self.rows);
        }
    }
}

/// The profiles an online check could not settle.
#[derive(Default)]
struct Unchecked {
    /// The provider could not be asked, or its answer settled nothing.
    failed: usize,
    /// Of those, the ones whose provider's configuration is wrong (exit 1).
    config: usize,
    /// The signal that stopped the checks (the rest were not started).
    stopped: Option<i32>,
    /// sbctl has no way to check them online.
    unsupported: usize,
}

impl Unchecked {
    fn total(&self) -> usize {
        self.failed + self.unsupported
    }
}

/// Asks the providers about every profile that is not already known to need a person,
/// and again about those an earlier online check marked (they may work again).
fn validate_all(
    ctx: &Ctx,
    store: &mut dyn crate::store::ProfileStore,
    secrets: Box<dyn SecretStore>,
) -> Result<(Unchecked, Box<dyn SecretStore>)> {
    use crate::renew::{Mode, Outcome};
    let checkable = |p: &Profile| p.reauth_reason().is_none() || p.recheckable();
    // First how many to ask about, and the networks they use; then a page of ids at a
    // time to the engine (which reads each profile again under its lease): a million
    // checks keep a thousand ids and reports in memory.
    let mut total = 0;
    let mut networks = std::collections::BTreeSet::new();
    store.each(&ListFilter::default(), &mut |p| {
        if checkable(&p) {
            total += 1;
            networks.insert(p.network);
        }
    })?;
    let mut unchecked = Unchecked::default();
    if total == 0 {
        return Ok((unchecked, secrets));
    }
    let networks: Vec<String> = networks.into_iter().collect();
    let engine = ctx.engine(secrets, &networks)?;
    let bar = ctx.ui.progress(total);
    let done = |_: &crate::renew::Report| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let mut unsupported: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut pages, mut reported) = (Pages::default(), 0);
    let failure = loop {
        let Some(page) = pages.next(store)? else {
            break None;
        };
        let ids: Vec<_> = page
            .into_iter()
            .filter(|p| checkable(p))
            .map(|p| p.id)
            .collect();
        let reports = match ids.is_empty() {
            true => Vec::new(),
            false => engine.run(
                ids,
                Mode::Validate,
                ctx.settings.concurrency as usize,
                &done,
            ),
        };
        reported += reports.len();
        let mut failure = None;
        for r in reports {
            match r.outcome {
                Outcome::Failed { message, failure } => {
                    unchecked.failed += 1;
                    if failure == crate::domain::failure::Failure::Config {
                        unchecked.config += 1;
                    }
                    ctx.ui.warn(&format!(
                        "{}: could not be checked online ({message})",
                        r.id
                    ))
                }
                Outcome::Unsupported(why) => {
                    unchecked.unsupported += 1;
                    *unsupported.entry(why).or_default() += 1
                }
                Outcome::Error(e) => failure = failure.or(Some(e)),
                _ => {}
            }
        }
        if failure.is_some() || engine.stopped().is_some() {
            break failure;
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(mut s) = engine.stopped() {
        // The pages never handed to the engine were not started either.
        s.not_started = total.saturating_sub(reported);
        ctx.ui.notice(&s.describe("checks"));
        unchecked.stopped = Some(s.signal);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let secrets = engine.into_secrets();
    // One line per reason, not one per profile: an agency may have thousands.
    for (why, n) in unsupported {
        ctx.ui.warn(&format!(
            "{} not checked online: {why}",
            crate::ui::count(n, "profile", "profiles")
        ));
    }
    if unchecked.failed > 0 {
        ctx.ui.warn(&format!(
            "{} could not be checked online; their status is what was known before",
            match unchecked.failed {
                1 => "1 profile".to_owned(),
                n => format!("{n} profiles"),
            }
        ));
    }
    Ok((unchecked, secrets))
}
