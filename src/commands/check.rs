//! `sbctl check`: the profiles that need attention, from local state (the database and
//! the secret store), or with `--online` after asking each provider whether each token
//! still works. Exit 0, 3, 4 or 5 (SPEC).

use crate::commands::{attention, Ctx};
use crate::domain::profile::{Health, Profile, Reason, Status};
use crate::error::{Attention, Result};
use crate::secrets::{profile_key, SecretStore};
use crate::store::ListFilter;
use crate::ui::Tone;
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
    let profiles = store.list(&ListFilter::default())?;
    let mut outcome = Attention::None;
    let mut needing = Vec::new();
    let mut all = Vec::new();
    // Renewals started and not finished (cut off while the provider answered, or under
    // way): with a rotating refresh token the grant may be gone, which only the next
    // renewal can tell.
    let mut cut_off = 0;
    for mut p in profiles {
        // A token that went missing from the secret store is found here, and one that
        // came back (a restored keyring) clears the mark.
        let never_had = p.reauth_reason() == Some(Reason::NotAuthorized);
        let present = never_had || secrets.get(&profile_key(&p.id))?.is_some();
        if p.secret_found(present, ctx.now) {
            store.update(&p)?;
        }
        let h = ctx.health(&p);
        if p.renewal_started_at.is_some() {
            cut_off += 1;
        }
        all.push((p.clone(), h));
        if h.status != Status::Ok {
            outcome = outcome.and(attention(&h));
            needing.push((p, h));
        }
    }
    // Stopped: no time for notifications; what was not sent goes out next run.
    if unchecked.stopped.is_none() {
        for w in ctx.notifier().notify(store.as_mut(), &all) {
            ctx.ui.warn(&w);
        }
    }
    if cut_off > 0 {
        ctx.ui.warn(&format!(
            "{} started and not finished (in progress now, or cut off when sbctl was stopped); the next `sbctl refresh` will settle whether {} still works",
            crate::ui::count(cut_off, "renewal was", "renewals were"),
            if cut_off == 1 { "its token" } else { "their tokens" }
        ));
    }
    show(ctx, &needing, (&unchecked, all.len()), args.json, cut_off);
    if unchecked.config > 0 {
        return Err(crate::error::Error::failed(
            "some profiles could not be checked because of sbctl's or the provider's configuration (see above)",
        ));
    }
    // A check that could not be made is a passing failure: exit 4 unless worse.
    if unchecked.failed > 0 {
        outcome = outcome.and(Attention::Transient);
    }
    if let Some(signal) = unchecked.stopped {
        outcome = outcome.and(Attention::Interrupted(signal));
    }
    Ok(outcome)
}

/// The profiles that need attention, or that none does; `unchecked` of `total` could
/// not be checked online.
fn show(
    ctx: &Ctx,
    needing: &[(Profile, Health)],
    (unchecked, total): (&Unchecked, usize),
    json: bool,
    cut_off: usize,
) {
    if json {
        ctx.ui
            .json_array(needing.iter().map(|(p, h)| profile_view(p, h)));
    } else if needing.is_empty() && unchecked.total() == 0 && cut_off == 0 {
        ctx.ui.info("all profiles are OK");
    } else if needing.is_empty() && unchecked.total() == 0 {
        ctx.ui
            .info("no profile needs attention, but a renewal has not finished (see above)");
    } else if needing.is_empty() {
        ctx.ui.info(&format!(
            "no profile needs attention, but {} of {} could not be checked online (see above)",
            unchecked.total(),
            total
        ));
    } else {
        let rows = needing
            .iter()
            .map(|(p, h)| {
                let fix = h.fix(p).unwrap_or_default();
                vec![
                    (p.id.to_string(), Tone::Plain),
                    (p.network.clone(), Tone::Plain),
                    status_words(h, ctx.now),
                    (fix, Tone::Plain),
                ]
            })
            .collect();
        ctx.ui.table(&["ID", "NETWORK", "STATUS", "FIX"], rows);
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
    let profiles = store.list(&ListFilter::default())?;
    let ids: Vec<_> = profiles
        .iter()
        .filter(|p| p.reauth_reason().is_none() || p.recheckable())
        .map(|p| p.id.clone())
        .collect();
    let mut unchecked = Unchecked::default();
    if ids.is_empty() {
        return Ok((unchecked, secrets));
    }
    let networks: Vec<String> = profiles.iter().map(|p| p.network.clone()).collect();
    let engine = ctx.engine(secrets, &networks)?;
    let bar = ctx.ui.progress(ids.len());
    let done = |_: &crate::renew::Report| {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let reports = engine.run(
        ids,
        Mode::Validate,
        ctx.settings.concurrency as usize,
        &done,
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(s) = engine.stopped() {
        ctx.ui.notice(&s.describe("checks"));
        unchecked.stopped = Some(s.signal);
    }
    let secrets = engine.into_secrets();
    let mut unsupported: std::collections::BTreeMap<String, usize> = Default::default();
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
            Outcome::Error(e) => return Err(e),
            _ => {}
        }
    }
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
