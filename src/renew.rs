//! Renewing and validating profiles: one renewer per profile across threads and
//! processes (a lease in the database), the new token stored before anything else, and
//! every answer classified. Used by `refresh`, `token` and `check --online`.

use crate::domain::failure::{classify, Answer, Failure, Known};
use crate::domain::profile::{Misconfig, Profile, ProfileId, Reason, Timestamp};
pub use crate::domain::renewal::Mode;
use crate::domain::renewal::{
    backoff, decide, plan, Action, Plan, Policy, Unanswered, MAX_ATTEMPTS, MAX_RETRY_TIME,
};
use crate::domain::token::{salvage, Secret, TokenSet};
use crate::error::Result;
use crate::networks::{Net, Problem, Verdict};
use crate::secrets::{get_tokens, token_entries, SecretStore, SharedStore};
use crate::store::{Holder, ProfileStore};
use crate::ui::Ui;
use chrono::TimeDelta;
use std::collections::BTreeMap;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// How long a renewer may hold a profile: all attempts, each request's timeout, and
/// a margin. A killed renewer's lease simply runs out.
pub fn lease(http_timeout: TimeDelta) -> TimeDelta {
    TimeDelta::seconds(MAX_RETRY_TIME.as_secs() as i64 + 30) + http_timeout * 2
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Renewed,
    Validated,
    NotDue,
    NeedsReauth(Reason),
    /// The provider could not be asked or did not say yes; the token is still stored.
    Failed {
        failure: Failure,
        message: String,
    },
    /// Another sbctl process is renewing it right now.
    Busy,
    /// This renewal was held up past its lease (a stopped process, a suspended
    /// machine) and another stored newer tokens meanwhile: they are kept, this
    /// renewal's result is dropped.
    Superseded,
    /// Another sbctl process removed it meanwhile.
    Gone,
    /// sbctl cannot do this for the profile's network yet.
    Unsupported(String),
    /// sbctl's own storage failed: the error whole, its hints with it.
    Error(crate::error::Error),
    /// sbctl was asked to stop (SIGINT, SIGTERM) before it started on this profile.
    NotStarted,
}

/// What became of a profile, without the details: the summary counts these, in this
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Renewed,
    Validated,
    NotDue,
    NeedsReauth,
    Failed,
    Busy,
    Superseded,
    Gone,
    Unsupported,
    Error,
    NotStarted,
}

impl Kind {
    /// The word the summary and `--json`'s `outcome` use.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Renewed => "renewed",
            Kind::Validated => "validated",
            Kind::NotDue => "not due",
            Kind::NeedsReauth => "needs reauth",
            Kind::Failed => "failed",
            Kind::Busy => "busy",
            Kind::Superseded => "superseded",
            Kind::Gone => "removed",
            Kind::Unsupported => "skipped",
            Kind::Error => "error",
            Kind::NotStarted => "not started",
        }
    }
}

impl Outcome {
    /// Its kind, and what there is to say of it.
    pub fn told(&self) -> (Kind, String) {
        match self {
            Outcome::Renewed => (Kind::Renewed, String::new()),
            Outcome::Validated => (Kind::Validated, String::new()),
            Outcome::NotDue => (Kind::NotDue, String::new()),
            Outcome::NeedsReauth(r) => (Kind::NeedsReauth, r.describe().to_owned()),
            Outcome::Failed { message, .. } => (Kind::Failed, message.clone()),
            Outcome::Busy => (Kind::Busy, "another sbctl is renewing it".to_owned()),
            Outcome::Superseded => (
                Kind::Superseded,
                "held up past its lease while another sbctl stored newer tokens, which are kept"
                    .to_owned(),
            ),
            Outcome::Gone => (Kind::Gone, "another sbctl removed it meanwhile".to_owned()),
            Outcome::Unsupported(why) => (Kind::Unsupported, why.clone()),
            Outcome::Error(e) => (Kind::Error, e.to_string()),
            Outcome::NotStarted => (Kind::NotStarted, "sbctl was asked to stop first".to_owned()),
        }
    }
}

/// What an interrupted run did: the signal, the renewals that were in flight when it
/// came (finished and stored), and the profiles not started.
pub struct Stopped {
    pub signal: i32,
    pub completed: usize,
    pub not_started: usize,
}

impl Stopped {
    /// The one line an interrupted run prints.
    pub fn describe(&self, what: &str) -> String {
        format!(
            "interrupted: {} {what} in flight were completed and stored; {} not started",
            self.completed, self.not_started
        )
    }
}

/// Runs `f` holding the profile's renewal lease, so that no renewal of the profile by
/// another thread or process writes its row or its tokens meanwhile. Waits up to
/// `wait` for a renewal in progress to end, saying so once; `what` names, for the
/// error, what was not done.
pub fn under_lease<T>(
    (log, http_timeout, clock): (&Ui, TimeDelta, Clock),
    store: &mut dyn ProfileStore,
    id: &ProfileId,
    (wait, what): (std::time::Duration, &str),
    f: impl FnOnce(&mut dyn ProfileStore) -> Result<T>,
) -> Result<T> {
    let holder = Holder::this_process();
    let span = lease(http_timeout);
    if !wait_for_lease(store, id, &holder, (clock, span), (wait, Some(log)))? {
        return Err(crate::error::Error::failed(format!(
            "{id}: another sbctl is still renewing it; {what}"
        ))
        .hint("try again in a minute"));
    }
    let result = f(store);
    let released = store.release_lease(id, &holder);
    let result = result?;
    released?;
    Ok(result)
}

/// Takes `id`'s lease for `holder` (at once when it is free, has run out, or its
/// holder is gone: `Holder::is_gone`), waiting up to `wait` for a renewal in progress
/// to end and saying so once on `log`. Whether it was taken. The one place a lease is
/// waited for: `under_lease`, the engine and the fence all come here.
pub fn wait_for_lease(
    store: &mut dyn ProfileStore,
    id: &ProfileId,
    holder: &Holder,
    (clock, span): (Clock, TimeDelta),
    (wait, log): (std::time::Duration, Option<&Ui>),
) -> Result<bool> {
    let started = Instant::now();
    let mut said = false;
    loop {
        let now = clock.now();
        if store.take_lease(id, holder, now, now + span)? {
            return Ok(true);
        }
        if started.elapsed() >= wait {
            return Ok(false);
        }
        if let (Some(log), false) = (log, said) {
            log.notice(&format!("{id}: waiting for a renewal in progress to end"));
            said = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The profile as a result may be written over (see `Engine::fence`).
enum Fenced {
    /// Nobody stored tokens since this renewer read its own: the row as it is now.
    Current(Box<Profile>),
    /// Another renewer stored newer tokens meanwhile; they are kept.
    Superseded,
    /// Removed meanwhile.
    Gone,
}

pub struct Report {
    pub id: ProfileId,
    pub outcome: Outcome,
}

/// Why a network could not be set up for this run.
pub struct Unresolved {
    pub message: String,
    /// The provider is down or busy (its discovery did not answer): a passing failure
    /// of the run, not the config's.
    pub passing: bool,
    /// The provider has no client_id: it was never set up (profiles added with a token
    /// only), so an online check cannot be made, which says nothing wrong.
    pub not_set_up: bool,
}

/// What the engine takes from the command that runs it.
pub struct Setup<'a> {
    /// Renew this long before the access token expires.
    pub refresh_ahead: TimeDelta,
    /// Validate tokens without expiry this often.
    pub verify_every: TimeDelta,
    /// How long one request may take (it sets the lease's length).
    pub http_timeout: TimeDelta,
    pub http: oauth2::reqwest::blocking::Client,
    pub secrets: Box<dyn SecretStore>,
    /// Each network the profiles use, resolved, or why it could not be.
    pub providers: BTreeMap<String, std::result::Result<Net, Unresolved>>,
    /// Opens another connection to the profile database, one per worker thread.
    pub open_store: Box<dyn Fn() -> Result<Box<dyn ProfileStore>> + Sync + 'a>,
    pub log: &'a Ui,
    /// The command's clock: leases and renewal times are read from it.
    pub clock: Clock,
}

pub use crate::clock::Clock;

pub struct Engine<'a> {
    refresh_ahead: TimeDelta,
    verify_every: TimeDelta,
    http_timeout: TimeDelta,
    http: oauth2::reqwest::blocking::Client,
    /// The secret store, shared by all worker threads (see `SharedStore`).
    secrets: SharedStore,
    providers: BTreeMap<String, std::result::Result<Net, Unresolved>>,
    open_store: Box<dyn Fn() -> Result<Box<dyn ProfileStore>> + Sync + 'a>,
    log: &'a Ui,
    clock: Clock,
    /// Profiles finished after a stop was asked for, and those never started.
    completed_after_stop: std::sync::atomic::AtomicUsize,
    not_started: std::sync::atomic::AtomicUsize,
}

impl<'a> Engine<'a> {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn new(setup: Setup<'a>) -> Engine<'a> {
        Engine {
            refresh_ahead: setup.refresh_ahead,
            verify_every: setup.verify_every,
            http_timeout: setup.http_timeout,
            http: setup.http,
            secrets: SharedStore::new(setup.secrets),
            providers: setup.providers,
            open_store: setup.open_store,
            log: setup.log,
            clock: setup.clock,
            completed_after_stop: Default::default(),
            not_started: Default::default(),
        }
    }

    /// Whether a stop was asked for during this engine's work, and what it did then.
    pub fn stopped(&self) -> Option<Stopped> {
        use std::sync::atomic::Ordering::Relaxed;
        crate::interrupt::received().map(|signal| Stopped {
            signal,
            completed: self.completed_after_stop.load(Relaxed),
            not_started: self.not_started.load(Relaxed),
        })
    }

    /// The secret store this run resolved, for a caller outside the worker pool.
    pub fn secrets(&self) -> &dyn SecretStore {
        &self.secrets
    }

    /// The secret store back, for the rest of the command.
    pub fn into_secrets(self) -> Box<dyn SecretStore> {
        self.secrets.into_inner()
    }

    /// Works through `ids` with up to `concurrency` threads, each with its own database
    /// connection and secret store; `done` hears of each profile as it finishes.
    pub fn run(
        &self,
        ids: Vec<ProfileId>,
        mode: Mode,
        concurrency: usize,
        done: &(dyn Fn(&Report) + Sync),
    ) -> Vec<Report> {
        let workers = concurrency.clamp(1, ids.len().max(1));
        self.run_fed((mode, workers), done, |submit| {
            ids.into_iter().for_each(submit)
        })
    }

    /// The same, for ids that `feed` hands over as it finds them (reading the
    /// database, say): the workers start on the first while it looks for the next.
    pub fn run_fed(
        &self,
        (mode, workers): (Mode, usize),
        done: &(dyn Fn(&Report) + Sync),
        feed: impl FnOnce(&mut dyn FnMut(ProfileId)),
    ) -> Vec<Report> {
        let (id_tx, id_rx) = mpsc::channel::<ProfileId>();
        let queue = Mutex::new(id_rx);
        let (tx, rx) = mpsc::channel::<Report>();
        let mut reports = Vec::new();
        std::thread::scope(|scope| {
            for _ in 0..workers.max(1) {
                let tx = tx.clone();
                let queue = &queue;
                scope.spawn(move || {
                    // Nothing new is started once a stop is asked for; a worker ends
                    // when the feed is done and nothing is left.
                    let next = || {
                        if crate::interrupt::received().is_some() {
                            return None;
                        }
                        queue.lock().expect("queue lock").recv().ok()
                    };
                    let mut store = match (self.open_store)() {
                        Ok(s) => s,
                        Err(e) => {
                            while let Some(id) = next() {
                                let _ = tx.send(Report {
                                    id,
                                    outcome: Outcome::Error(e.clone()),
                                });
                            }
                            return;
                        }
                    };
                    while let Some(id) = next() {
                        let outcome = self
                            .one(store.as_mut(), &self.secrets, &id, (mode, Duration::ZERO))
                            .unwrap_or_else(Outcome::Error);
                        if crate::interrupt::received().is_some() {
                            self.completed_after_stop
                                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        let _ = tx.send(Report { id, outcome });
                    }
                });
            }
            drop(tx);
            let mut submit = |id| {
                let _ = id_tx.send(id);
                // Progress is told while the feed goes on.
                while let Ok(report) = rx.try_recv() {
                    done(&report);
                    reports.push(report);
                }
            };
            feed(&mut submit);
            drop(id_tx);
            for report in rx {
                done(&report);
                reports.push(report);
            }
        });
        let left = queue.into_inner().expect("queue lock").try_iter().count();
        self.not_started
            .fetch_add(left, std::sync::atomic::Ordering::Relaxed);
        reports
    }

    /// Renews or validates one profile under its lease.
    /// Renews or validates one profile under its lease, waiting up to `wait` for a
    /// renewal of it in progress elsewhere (`Busy` after that).
    pub fn one(
        &self,
        store: &mut dyn ProfileStore,
        secrets: &dyn SecretStore,
        id: &ProfileId,
        (mode, wait): (Mode, std::time::Duration),
    ) -> Result<Outcome> {
        let span = lease(self.http_timeout);
        // Who holds the lease: checked again before a result is written (`fence`).
        let lease = Holder::this_process();
        let log = (!wait.is_zero()).then_some(self.log);
        if !wait_for_lease(store, id, &lease, (self.clock, span), (wait, log))? {
            return Ok(Outcome::Busy);
        }
        let outcome = self.leased(store, secrets, id, (mode, &lease));
        let released = store.release_lease(id, &lease);
        let outcome = outcome?;
        released?;
        Ok(outcome)
    }

    fn leased(
        &self,
        store: &mut dyn ProfileStore,
        secrets: &dyn SecretStore,
        id: &ProfileId,
        (mode, lease): (Mode, &Holder),
    ) -> Result<Outcome> {
        // Read again under the lease: another process may have just renewed it, or
        // removed it.
        let Some(mut p) = store.get(id)? else {
            return Ok(Outcome::Gone);
        };
        let policy = Policy {
            refresh_ahead: self.refresh_ahead,
            verify_every: self.verify_every,
        };
        // Decided from the profile alone: no secret is read, no network asked.
        let plan = match plan(&p, mode, self.now(), &policy) {
            Plan::NotDue => return Ok(Outcome::NotDue),
            Plan::NeedsReauth(reason) => return Ok(Outcome::NeedsReauth(reason)),
            due => due,
        };
        let net = match self.providers.get(&p.network) {
            Some(Ok(net)) => net,
            unresolved => {
                let (message, failure) = match unresolved {
                    Some(Err(u)) if u.not_set_up && mode == Mode::Validate => {
                        return Ok(Outcome::Unsupported(u.message.clone()))
                    }
                    Some(Err(u)) if u.passing => {
                        (u.message.clone(), Failure::Transient { retry_after: None })
                    }
                    Some(Err(u)) => (u.message.clone(), Failure::Config),
                    _ => (
                        format!("{}: provider `{}` was not resolved", p.id, p.network),
                        Failure::Config,
                    ),
                };
                // A renewal that was due and could not be made is a failed renewal,
                // in the list as in this run's report; a check changes nothing.
                if plan == Plan::Renew {
                    if failure == Failure::Config {
                        p.renewal_misconfigured(Misconfig::Settings, message.clone(), self.now());
                    } else {
                        p.renewal_failed(message.clone(), self.now());
                    }
                    store.update(&p)?;
                }
                return Ok(Outcome::Failed { failure, message });
            }
        };
        let Some(tokens) = get_tokens(secrets, id)? else {
            p.needs_reauth(Reason::SecretMissing);
            p.updated_at = self.now();
            store.update(&p)?;
            return Ok(Outcome::NeedsReauth(Reason::SecretMissing));
        };
        let capability = (net.renewal(&p, &tokens, self.now()), net.renewing_checks());
        let action = decide(plan, &p, capability, mode, self.now());
        let legacy = net.legacy_account(&p);
        let outcome = self.act(store, p, (net, tokens), action, (mode, lease))?;
        if legacy && matches!(outcome, Outcome::Renewed | Outcome::Validated) {
            self.migrate_account(store, secrets, id, net);
        }
        Ok(outcome)
    }

    /// Carries out what `decide` chose: one action, and after a check that could not
    /// tell, the one `decide` named for that case.
    fn act(
        &self,
        store: &mut dyn ProfileStore,
        p: Profile,
        (net, tokens): (&Net, TokenSet),
        action: Action,
        (mode, lease): (Mode, &Holder),
    ) -> Result<Outcome> {
        let too_young = |t: Timestamp| Outcome::Unsupported(net.network.not_before_words(t));
        let unanswered = match action {
            Action::NotDue => return Ok(Outcome::NotDue),
            Action::NeedsReauth(reason) => return Ok(Outcome::NeedsReauth(reason)),
            Action::TooYoung(t) => return Ok(too_young(t)),
            Action::Renew => return self.renew(store, p, (tokens, net), (mode, lease)),
            Action::Validate { unanswered } => unanswered,
        };
        match self.validate(store, p, &tokens, net)? {
            Checked::Told(outcome) => Ok(outcome),
            Checked::Untold(p, why) => match unanswered {
                Unanswered::Renew => self.renew(store, *p, (tokens, net), (mode, lease)),
                Unanswered::NotDue => Ok(Outcome::NotDue),
                Unanswered::TooYoung(t) => Ok(too_young(t)),
                Unanswered::Report => Ok(why),
            },
        }
    }

    /// Records a profile's account by its stable id where it has one of an older form
    /// (Pinterest's username: `Network::current_account`), once. A failure leaves it
    /// for next time.
    fn migrate_account(
        &self,
        store: &mut dyn ProfileStore,
        secrets: &dyn SecretStore,
        id: &ProfileId,
        net: &Net,
    ) {
        let found = (|| {
            let mut p = store.get(id).ok()??;
            let tokens = get_tokens(secrets, id).ok()??;
            let account =
                net.network
                    .current_account(net, &self.http, (&p, &tokens), self.now())?;
            let old = p.account_id.replace(account.id.clone())?;
            p.account_name = account.name.or(p.account_name);
            store.update(&p).ok()?;
            Some((old, account.id))
        })();
        if let Some((old, new)) = found {
            self.log.debug(&format!(
                "{id}: account `{old}` was of an older form; recorded its stable id `{new}`"
            ));
        }
    }

    /// Renews the token; `mode` says whether for a renewal run or as an online check.
    fn renew(
        &self,
        store: &mut dyn ProfileStore,
        mut p: Profile,
        (tokens, net): (TokenSet, &Net),
        (mode, lease): (Mode, &Holder),
    ) -> Result<Outcome> {
        let mut known = Known {
            refresh_expires_at: p.refresh_expires_at,
            interrupted: p.renewal_started_at.is_some(),
        };
        // Say that a request is out: if this process dies before the answer is stored,
        // the next run knows a rotating refresh token may be gone.
        p.renewal_started_at = Some(self.now());
        store.update(&p)?;
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let (failure, message, answered) = match self.attempt(net, &p, &tokens, &mut known) {
                Attempt::Renewed(grant) => {
                    return self.store_renewal(store, p, (tokens, grant), (net, lease))
                }
                Attempt::Salvaged(new, why) => {
                    return self.store_salvaged(store, p, (tokens, new), why, lease)
                }
                Attempt::Failed {
                    failure,
                    message,
                    answered,
                } => (failure, message, answered),
            };
            attempt += 1;
            if let Failure::Transient { retry_after } = failure {
                let wait = backoff(attempt - 1, retry_after, rand::random::<f64>());
                if attempt < MAX_ATTEMPTS && started.elapsed() + wait < MAX_RETRY_TIME {
                    self.log.debug(&format!(
                        "{}: {message}; retrying in {:.1}s",
                        p.id,
                        wait.as_secs_f64()
                    ));
                    // No new request once a stop is asked for: the failure is recorded.
                    if crate::interrupt::sleep(wait) {
                        continue;
                    }
                }
            }
            return self.record_failure(
                store,
                p,
                (failure, message, answered),
                (known, mode, lease),
            );
        }
    }

    /// One renewal request, and what its answer (or its absence) means.
    fn attempt(&self, net: &Net, p: &Profile, tokens: &TokenSet, known: &mut Known) -> Attempt {
        let failed = |failure, message, answered| Attempt::Failed {
            failure,
            message,
            answered,
        };
        match net.renew(&self.http, tokens) {
            Err(no) => {
                // A request that may have arrived may have used the refresh token up.
                known.interrupted |= no.maybe_sent;
                let message = format!("cannot reach {}'s token endpoint ({no})", p.network);
                failed(Failure::Transient { retry_after: None }, message, false)
            }
            Ok(answer) if answer.status == 200 => match net.read_renewal(&answer, self.now()) {
                Ok(grant) => Attempt::Renewed(grant),
                Err(why) => match answer.json().as_ref().and_then(salvage) {
                    // The new refresh token first, whatever else is odd: the provider
                    // may have retired the old one already.
                    Some(new) => Attempt::Salvaged(new, why),
                    None => {
                        // A 200 we cannot read may have used the refresh token up.
                        known.interrupted = true;
                        failed(Failure::Transient { retry_after: None }, why, false)
                    }
                },
            },
            Ok(answer) => {
                let (failure, message) = classify(
                    &Answer {
                        status: answer.status,
                        body: &answer.body,
                        retry_after: answer.retry_after.as_deref(),
                    },
                    self.now(),
                    *known,
                );
                failed(failure, message, true)
            }
        }
    }

    /// Records a renewal that failed for good (this run): a person is needed, or the
    /// next run tries again. A renewal made as an online check that failed for a
    /// passing reason learned nothing about the token: the status stays as it was.
    fn record_failure(
        &self,
        store: &mut dyn ProfileStore,
        p: Profile,
        (failure, message, answered): (Failure, String, bool),
        (known, mode, lease): (Known, Mode, &Holder),
    ) -> Result<Outcome> {
        // A failure of a renewal held up past its lease says nothing of tokens another
        // renewer stored meanwhile.
        let mut p = match self.fence(store, &p, lease)? {
            Fenced::Current(now) => {
                let mut now = *now;
                now.renewal_started_at = p.renewal_started_at;
                now
            }
            Fenced::Superseded => return Ok(self.superseded(&p.id)),
            Fenced::Gone => return Ok(Outcome::Gone),
        };
        let message = match failure {
            Failure::Reauth(Reason::Invalid) if known.interrupted => format!(
                "{message} (an earlier renewal was cut off while the provider answered, and its new token was lost)"
            ),
            _ => message,
        };
        // Without an answer the request may still have used the token: keep the mark,
        // unless no request of this renewal can have reached the network (a refused
        // connection) and none before it was cut off.
        if answered || !known.interrupted {
            p.renewal_started_at = None;
        }
        let outcome = match failure {
            Failure::Reauth(reason) => {
                Outcome::NeedsReauth(p.renewal_refused(reason, message, self.now()))
            }
            // The token endpoint refused the client (`invalid_client`): the secret or
            // the client id is wrong, and trying again cannot help.
            Failure::Config => {
                let message = format!(
                    "{message}; {} refused sbctl's client credentials: check client_id and set the secret again (`sbctl providers set-secret {}`)",
                    p.network, p.network
                );
                if mode != Mode::Validate {
                    p.renewal_misconfigured(Misconfig::Credentials, message.clone(), self.now());
                }
                Outcome::Failed {
                    failure: Failure::Config,
                    message,
                }
            }
            failure => {
                if mode != Mode::Validate {
                    p.renewal_failed(message.clone(), self.now());
                }
                Outcome::Failed { failure, message }
            }
        };
        store.update(&p)?;
        Ok(outcome)
    }

    /// An answer that cannot be read but carries a new refresh token: the token is
    /// stored first, then the renewal is reported failed with what was wrong.
    fn store_salvaged(
        &self,
        store: &mut dyn ProfileStore,
        p: Profile,
        (old, (access, refresh)): (TokenSet, (Option<Secret>, Secret)),
        why: String,
        lease: &Holder,
    ) -> Result<Outcome> {
        let mut p = match self.fence(store, &p, lease)? {
            Fenced::Current(now) => *now,
            Fenced::Superseded => return Ok(self.superseded(&p.id)),
            Fenced::Gone => return Ok(Outcome::Gone),
        };
        let tokens = TokenSet {
            access_token: access.unwrap_or(old.access_token),
            refresh_token: Some(refresh),
            token_type: old.token_type,
        };
        self.secrets
            .set_many(&token_entries(&[(p.id.clone(), tokens)]))?;
        let message = format!("{why}; the new refresh token in it was stored");
        p.renewal_started_at = None;
        p.tokens_replaced();
        // Marked meanwhile by a refused renewal: the stored token may be the live one,
        // so the next online check looks at it again.
        if let Some(reason) = p.reauth_reason() {
            p.failed_check(reason, message.clone(), self.now());
        }
        p.renewal_failed(message.clone(), self.now());
        store.update(&p)?;
        Ok(Outcome::Failed {
            failure: Failure::Unexpected,
            message,
        })
    }

    /// The new token goes to the secret store first; only then does the row change.
    /// Written only over the tokens this renewal started from (`fence`).
    fn store_renewal(
        &self,
        store: &mut dyn ProfileStore,
        started: Profile,
        (old, grant): (TokenSet, crate::domain::token::Grant),
        (net, lease): (&Net, &Holder),
    ) -> Result<Outcome> {
        // Tests stop sbctl here (SIGSTOP) to hold an answered renewal past its lease.
        #[cfg(debug_assertions)]
        crate::interrupt::pause_point("renewal-answered");
        let mut p = match self.fence(store, &started, lease)? {
            Fenced::Current(now) => *now,
            Fenced::Superseded => return Ok(self.superseded(&started.id)),
            Fenced::Gone => return Ok(Outcome::Gone),
        };
        for note in &grant.notes {
            self.log.debug(&format!("{}: {note}", p.id));
        }
        // Marked meanwhile by a renewal that was refused: it presented the refresh
        // token this one used up (a rotating provider), and these tokens are the only
        // ones that may still work.
        let refused_meanwhile = p
            .reauth_reason()
            .filter(|_| started.reauth_reason().is_none());
        p.renewed(&grant, self.now());
        if let Some(reason) = refused_meanwhile {
            // Not healed until the network says so: the mark stays (one the next
            // online check looks at again) until `confirm_healed` clears it.
            let words =
                "a renewal held up while another was refused stored new tokens, not yet checked";
            p.failed_check(reason, words.into(), self.now());
        }
        let tokens = TokenSet {
            access_token: grant.tokens.access_token,
            // A provider that does not rotate may leave the refresh token out.
            refresh_token: grant.tokens.refresh_token.or(old.refresh_token),
            token_type: grant.tokens.token_type.or(old.token_type),
        };
        self.secrets
            .set_many(&token_entries(&[(p.id.clone(), tokens.clone())]))?;
        store.update(&p)?;
        match refused_meanwhile {
            Some(reason) => self.confirm_healed(store, p, (&tokens, net), reason),
            None => Ok(Outcome::Renewed),
        }
    }

    /// Before a renewal's result is written: its lease again, if it may have run out
    /// while this renewer was held up (a stopped process, a suspended machine), waiting
    /// for whoever holds it now; then whether tokens were stored since this renewal
    /// read its own (the generation it started from, `Profile::token_version`). The
    /// generation is the fencing token: a held-up renewer never writes over newer
    /// tokens, and never a dead token over a live one.
    fn fence(
        &self,
        store: &mut dyn ProfileStore,
        started: &Profile,
        held: &Holder,
    ) -> Result<Fenced> {
        // Still held: nobody else can have stored tokens. Only read: the answered token
        // must not wait on a database write before it is stored.
        if store.holds_lease(&started.id, held)? {
            return Ok(Fenced::Current(Box::new(started.clone())));
        }
        // Lost: taken again (a full lease, for the writes and the check that follow).
        let span = lease(self.http_timeout);
        let wait = span.to_std().unwrap_or_default();
        if !wait_for_lease(store, &started.id, held, (self.clock, span), (wait, None))? {
            return Ok(Fenced::Superseded);
        }
        Ok(match store.get(&started.id)? {
            None => Fenced::Gone,
            Some(now) if now.token_version != started.token_version => Fenced::Superseded,
            Some(now) => Fenced::Current(Box::new(now)),
        })
    }

    fn superseded(&self, id: &ProfileId) -> Outcome {
        self.log.notice(&format!(
            "{id}: this renewal was held up past its lease, and another sbctl stored newer tokens meanwhile: they are kept, and this renewal's are dropped"
        ));
        Outcome::Superseded
    }

    /// The tokens of a renewal held up while another was refused are stored; the
    /// profile is called healed only once the network says they work.
    fn confirm_healed(
        &self,
        store: &mut dyn ProfileStore,
        mut p: Profile,
        (tokens, net): (&TokenSet, &Net),
        marked: Reason,
    ) -> Result<Outcome> {
        let (verdict, _) = net.verify_traced(&self.http, &p, tokens, self.now());
        let id = p.id.clone();
        match verdict {
            Verdict::Valid { .. } => {
                p.passed_check(self.now());
                store.update(&p)?;
                self.log.notice(&format!(
                    "{id}: a renewal refused while this one was held up had marked it; the tokens this one got were stored and work: healed"
                ));
                Ok(Outcome::Renewed)
            }
            Verdict::Failed(Problem {
                failure: Failure::Reauth(reason),
                message,
            }) => {
                p.failed_check(reason, message, self.now());
                store.update(&p)?;
                Ok(Outcome::NeedsReauth(reason))
            }
            other => {
                // Stored, but not known to work: the mark stays, for the next online
                // check to look at again.
                p.failed_check(
                    marked,
                    format!(
                        "a renewal held up while another was refused stored new tokens; whether they work could not be checked ({})",
                        other.describe()
                    ),
                    self.now(),
                );
                store.update(&p)?;
                Ok(Outcome::NeedsReauth(marked))
            }
        }
    }

    /// Asks the network whether the tokens still work, without using them up, and
    /// records what it learned (Facebook's `debug_token` gives both deadlines).
    fn validate(
        &self,
        store: &mut dyn ProfileStore,
        mut p: Profile,
        tokens: &TokenSet,
        net: &Net,
    ) -> Result<Checked> {
        let (verdict, trail) = net.verify_traced(&self.http, &p, tokens, self.now());
        self.log.debug(&format!(
            "{}: online check: {}; read as: {}",
            p.id,
            trail.join(", "),
            verdict.describe()
        ));
        let told = match verdict {
            Verdict::Valid {
                expires_at,
                data_access_expires_at,
            } => {
                if let Some(e) = expires_at {
                    p.expires_at = e;
                    p.expires_never = e.is_none();
                }
                if data_access_expires_at.is_some() {
                    p.data_access_expires_at = data_access_expires_at;
                }
                p.passed_check(self.now());
                store.update(&p)?;
                Outcome::Validated
            }
            Verdict::Failed(problem) => match problem.failure {
                Failure::Reauth(reason) => {
                    let reason = p.settled(reason, self.now());
                    p.failed_check(reason, problem.message, self.now());
                    store.update(&p)?;
                    Outcome::NeedsReauth(reason)
                }
                // A check that could not be made changes nothing about the token.
                failure => Outcome::Failed {
                    failure,
                    message: problem.message,
                },
            },
            Verdict::Unsupported(why) => {
                return Ok(Checked::Untold(Box::new(p), Outcome::Unsupported(why)))
            }
            // Neither working nor broken: the profile stays as it was.
            Verdict::Inconclusive(why) => {
                let failed = Outcome::Failed {
                    failure: Failure::Unexpected,
                    message: why,
                };
                return Ok(Checked::Untold(Box::new(p), failed));
            }
        };
        Ok(Checked::Told(told))
    }
}

/// What one renewal request came to.
enum Attempt {
    Renewed(crate::domain::token::Grant),
    /// An answer that cannot be read but carries a new refresh token (and perhaps an
    /// access token), and what was wrong with it.
    Salvaged((Option<Secret>, Secret), String),
    Failed {
        failure: Failure,
        message: String,
        /// Whether the network answered (without an answer, the token may be used up).
        answered: bool,
    },
}

/// What an online check came to: an outcome, or no word either way (the profile, and
/// what to report if nothing else is tried).
enum Checked {
    Told(Outcome),
    Untold(Box<Profile>, Outcome),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::Status;
    use crate::store::sqlite::SqliteStore;

    /// An engine over no network at all, reading the time from `clock`.
    fn engine<'a>(ui: &'a Ui, secrets: Box<dyn SecretStore>, clock: Clock) -> Engine<'a> {
        Engine::new(Setup {
            refresh_ahead: TimeDelta::days(1),
            verify_every: TimeDelta::days(1),
            http_timeout: TimeDelta::seconds(30),
            http: crate::oauth::http_client(std::time::Duration::from_secs(1)),
            secrets,
            providers: BTreeMap::new(),
            open_store: Box::new(|| unreachable!("the tests hand the engine its store")),
            log: ui,
            clock,
        })
    }

    fn fixture() -> (
        SqliteStore,
        Box<dyn SecretStore>,
        tempfile::TempDir,
        ProfileId,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = crate::secrets::file::FileStore::new(dir.path().join("s.db"));
        let mut store = SqliteStore::open_in_memory().unwrap();
        let now = chrono::Utc::now();
        let id = ProfileId::parse("acme").unwrap();
        let mut p = Profile::new(id.clone(), "x".into(), now);
        p.expires_at = Some(now + TimeDelta::days(2));
        p.issued_at = Some(now);
        p.renewable = true;
        store.insert(&[p]).unwrap();
        (store, Box::new(secrets), dir, id)
    }

    #[test]
    fn the_engine_judges_by_the_clock_it_is_given() {
        let (mut store, secrets, _dir, id) = fixture();
        let ui = Ui::new(crate::ui::ColorChoice::Never, true, 0, true);
        let once = (Mode::Refresh { force: false }, Duration::ZERO);
        let now = engine(&ui, secrets, Clock::offset_by(TimeDelta::zero()));
        assert_eq!(
            now.one(&mut store, now.secrets(), &id, once).unwrap(),
            Outcome::NotDue
        );
        // A day and a half later the token is within `refresh_ahead`: due, and with no
        // way to reach its network, a failure of the configuration's.
        let later = engine(
            &ui,
            now.into_secrets(),
            Clock::offset_by(TimeDelta::hours(36)),
        );
        let outcome = later.one(&mut store, later.secrets(), &id, once).unwrap();
        assert!(
            matches!(
                outcome,
                Outcome::Failed {
                    failure: Failure::Config,
                    ..
                }
            ),
            "{outcome:?}"
        );
        let p = store.get(&id).unwrap().unwrap();
        assert_eq!(
            p.status_at(chrono::Utc::now(), TimeDelta::days(7)).status,
            Status::RefreshFailed
        );
    }

    #[test]
    fn a_lease_held_by_another_is_waited_for_only_until_it_runs_out() {
        let (mut store, secrets, _dir, id) = fixture();
        let ui = Ui::new(crate::ui::ColorChoice::Never, true, 0, true);
        let other = Holder::this_process();
        let now = chrono::Utc::now();
        assert!(store
            .take_lease(&id, &other, now, now + TimeDelta::minutes(10))
            .unwrap());
        let once = (Mode::Refresh { force: false }, Duration::ZERO);
        let engine_now = engine(&ui, secrets, Clock::offset_by(TimeDelta::zero()));
        assert_eq!(
            engine_now
                .one(&mut store, engine_now.secrets(), &id, once)
                .unwrap(),
            Outcome::Busy
        );
        // Its holder is alive (this process), but its lease has run out by then.
        let after = engine(
            &ui,
            engine_now.into_secrets(),
            Clock::offset_by(TimeDelta::minutes(11)),
        );
        assert_eq!(
            after.one(&mut store, after.secrets(), &id, once).unwrap(),
            Outcome::NotDue
        );
    }
}
