//! Telling someone when a profile needs them: `notify.command` (the event as JSON on
//! stdin) and/or a POST to `notify.webhook`. A profile is news at most once per
//! `notify.repeat` for each status and channel. With `digest` (the default) a run sends
//! one event listing every profile that is news, grouped in its `summary`; otherwise
//! one event per profile. A channel that fails is reported once per run and tried
//! again next run for what it did not deliver; it never changes the run's exit code.

use crate::config::{NotifyConfig, NotifyEvent};
use crate::domain::profile::{Health, Profile, ProfileId, Status, Timestamp};
use crate::store::{Channel, Notice, ProfileStore};
use crate::view::profile_json;
use chrono::TimeDelta;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a notify command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a webhook may take, retries (429, 5xx) included.
const WEBHOOK_BUDGET: Duration = Duration::from_secs(30);
const WEBHOOK_ATTEMPTS: u32 = 4;
/// The least time worth starting another webhook attempt with.
const MIN_ATTEMPT: Duration = Duration::from_secs(1);

/// Where an event goes: the command or the URL of a channel.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Destination<'a> {
    Command(&'a str),
    Webhook(&'a str),
}

impl Destination<'_> {
    /// The channel the store remembers deliveries under.
    fn channel(self) -> Channel {
        match self {
            Destination::Command(_) => Channel::Command,
            Destination::Webhook(_) => Channel::Webhook,
        }
    }

    /// Why this destination may never be used, whatever the run: a webhook that would
    /// carry profile and account names over plain http off this machine.
    fn refused(self) -> Option<String> {
        match self {
            Destination::Command(_) => None,
            Destination::Webhook(url) => {
                crate::oauth::http::insecure(url).map(|why| format!("webhook `{url}` {why}"))
            }
        }
    }

    fn send(self, body: &[u8], http: &oauth2::reqwest::blocking::Client) -> Result<(), String> {
        match self {
            Destination::Command(command) => run_command(command, body),
            Destination::Webhook(url) => post(http, url, body),
        }
    }
}

/// Why a profile is news this run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// `reauth_required`, or `expiring` when no reminders are set.
    Attention,
    /// Its deadline came within this reminder stage.
    Reminder(TimeDelta),
    /// Renewals keep failing (the token still works).
    Failing,
    /// It works again after a notice.
    Recovered,
}

impl Why {
    fn event(self) -> NotifyEvent {
        match self {
            Why::Attention => NotifyEvent::ProfileNeedsAttention,
            Why::Reminder(_) => NotifyEvent::Reminder,
            Why::Failing => NotifyEvent::RenewalFailing,
            Why::Recovered => NotifyEvent::Recovered,
        }
    }
}

/// One profile that is news, and what its notice is remembered as (nothing for a
/// recovery).
struct News<'a> {
    profile: &'a Profile,
    health: Health,
    why: Why,
    notice: Option<Notice>,
}

/// The reminder stages, largest first.
fn stages(n: &NotifyConfig) -> Vec<TimeDelta> {
    let mut s: Vec<TimeDelta> = n.reminders.iter().flatten().map(|d| d.as_delta()).collect();
    s.sort_by(|a, b| b.cmp(a));
    s
}

/// What a profile is news for, if anything, with what its notice is remembered as
/// and whether it is sent again after `repeat` (a reminder stage is sent once).
fn reason_for(
    n: &NotifyConfig,
    p: &Profile,
    h: &Health,
    now: Timestamp,
) -> Option<(Why, Notice, bool)> {
    let stages = stages(n);
    let escalate = n
        .escalate_after
        .map_or(TimeDelta::hours(24), |d| d.as_delta());
    match h.status {
        Status::ReauthRequired => Some((Why::Attention, Notice::Status(h.status), true)),
        Status::RefreshFailed if p.renewal_failing(escalate, now) => {
            Some((Why::Failing, Notice::RenewalFailing, true))
        }
        Status::Expiring if stages.is_empty() => {
            Some((Why::Attention, Notice::Status(h.status), true))
        }
        Status::Ok | Status::Expiring => {
            let left = h.deadline? - now;
            // The closest stage reached: one notice per stage.
            let stage = stages.iter().rev().find(|s| left <= **s)?;
            Some((
                Why::Reminder(*stage),
                Notice::Reminder(stage.num_seconds()),
                false,
            ))
        }
        Status::RefreshFailed => None,
    }
}

/// What a run tells: the settings, who sends it and when.
pub struct Notifier<'a> {
    pub config: &'a NotifyConfig,
    /// `user@host`, so a shared channel says which machine speaks.
    pub host: &'a str,
    pub now: Timestamp,
    /// The one bounded HTTP road (`http_timeout`, answers capped, in `-v`'s trail).
    pub http: oauth2::reqwest::blocking::Client,
}

impl Notifier<'_> {
    fn has_channels(&self) -> bool {
        self.config.command.is_some() || self.config.webhook.is_some()
    }

    /// The profiles some channel was told about before (what `may_tell` needs): none
    /// is read without a channel.
    pub fn told_before(
        &self,
        store: &dyn ProfileStore,
    ) -> Result<std::collections::HashSet<ProfileId>, crate::store::StoreError> {
        match self.has_channels() {
            true => store.notified_profiles(),
            false => Ok(Default::default()),
        }
    }

    /// Whether `notify` has anything to do with a profile: news now, or told before (it
    /// may have recovered, and its notices are then forgotten). The others need not be
    /// handed to it, so a run over 100,000 profiles keeps only these.
    pub fn may_tell(
        &self,
        p: &Profile,
        h: &Health,
        told: &std::collections::HashSet<ProfileId>,
    ) -> bool {
        self.has_channels()
            && (told.contains(&p.id) || reason_for(self.config, p, h, self.now).is_some())
    }

    /// Sends what is news among `profiles` (with their current health). Returns
    /// warnings about channels that failed, one per channel.
    pub fn notify(
        &self,
        store: &mut dyn ProfileStore,
        profiles: &[(Profile, Health)],
    ) -> Vec<String> {
        let n = self.config;
        let destinations: Vec<Destination> = n
            .command
            .as_deref()
            .map(Destination::Command)
            .into_iter()
            .chain(n.webhook.as_deref().map(Destination::Webhook))
            .collect();
        if destinations.is_empty() {
            return Vec::new();
        }
        let mut warnings = Vec::new();
        for to in destinations {
            let news = self.news(store, to, profiles, &mut warnings);
            if !news.is_empty() {
                self.deliver(store, to, news, &mut warnings);
            }
        }
        // Fine again: nothing to say (but `recovered`), and the next problem is news.
        let fine = profiles
            .iter()
            .filter(|(p, h)| h.status == Status::Ok && reason_for(n, p, h, self.now).is_none());
        for (p, _) in fine {
            if let Err(e) = store.clear_notified(&p.id) {
                warnings.push(e.to_string());
            }
        }
        warnings
    }

    /// What among `profiles` is news for one channel.
    fn news<'p>(
        &self,
        store: &dyn ProfileStore,
        to: Destination,
        profiles: &'p [(Profile, Health)],
        warnings: &mut Vec<String>,
    ) -> Vec<News<'p>> {
        let n = self.config;
        let repeat = n.repeat.map_or(TimeDelta::hours(24), |d| d.as_delta());
        let enabled = |e: NotifyEvent| match &n.events {
            Some(list) => list.contains(&e),
            None => e != NotifyEvent::Recovered,
        };
        let mut news = Vec::new();
        for (p, h) in profiles {
            let item = |why, notice| News {
                profile: p,
                health: *h,
                why,
                notice,
            };
            let Some((why, notice, repeats)) = reason_for(n, p, h, self.now) else {
                let was = enabled(NotifyEvent::Recovered)
                    && h.status == Status::Ok
                    && store.was_notified(&p.id, to.channel()).unwrap_or(false);
                if was {
                    news.push(item(Why::Recovered, None));
                }
                continue;
            };
            if !enabled(why.event()) {
                continue;
            }
            match store.notified_at(&p.id, notice, to.channel()) {
                Ok(Some(at)) if !repeats || self.now - at < repeat => {}
                Ok(_) => news.push(item(why, Some(notice))),
                Err(e) => warnings.push(e.to_string()),
            }
        }
        news
    }

    /// Sends the news to one channel, as one digest or one event each, and remembers
    /// what was delivered; the first failure stops the channel for this run.
    fn deliver(
        &self,
        store: &mut dyn ProfileStore,
        to: Destination,
        news: Vec<News>,
        warnings: &mut Vec<String>,
    ) {
        let digest = self.config.digest.unwrap_or(true);
        let batches: Vec<Vec<News>> = if digest {
            vec![news]
        } else {
            news.into_iter().map(|one| vec![one]).collect()
        };
        let total: usize = batches.iter().map(Vec::len).sum();
        if let Some(why) = to.refused() {
            warnings.push(format!(
                "notify {} cannot be used: {why}; {} not sent (fix it in [notify], see `sbctl doctor`)",
                to.channel().as_str(),
                crate::ui::count(total, "notification", "notifications")
            ));
            return;
        }
        let mut delivered = 0;
        for batch in &batches {
            let event = if digest {
                self.digest_event(batch)
            } else {
                self.single_event(&batch[0])
            };
            let body = serde_json::to_vec(&event).expect("JSON serializes");
            if let Err(e) = to.send(&body, &self.http) {
                // One report a run; what was not delivered is news again next run.
                warnings.push(format!(
                    "notify {} failed ({e}); {} will be tried again on the next run",
                    to.channel().as_str(),
                    crate::ui::count(total - delivered, "notification", "notifications")
                ));
                return;
            }
            delivered += batch.len();
            for item in batch {
                let Some(notice) = item.notice else { continue };
                let sent = (notice, to.channel());
                if let Err(e) = store.set_notified(&item.profile.id, sent, self.now) {
                    warnings.push(e.to_string());
                }
            }
        }
    }
}

impl Notifier<'_> {
    /// One profile's part of an event: what happened and the command that fixes it.
    fn entry(&self, item: &News) -> serde_json::Map<String, Value> {
        let (p, h) = (item.profile, &item.health);
        let mut e = serde_json::Map::new();
        e.insert("event".into(), json!(item.why.event().as_str()));
        e.insert("status".into(), json!(h.status.as_str()));
        e.insert("reason".into(), json!(h.reason.map(|r| r.as_str())));
        let words = match item.why {
            Why::Reminder(stage) => format!(
                "re-authorize by {} (reminder: within {})",
                h.deadline
                    .map_or("-".into(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
                crate::domain::duration::Duration::seconds(stage.num_seconds())
            ),
            Why::Failing => format!(
                "renewals have failed {} times in a row; the token still works",
                p.renewal_failures()
            ),
            Why::Recovered => "working again".into(),
            Why::Attention => crate::view::status_words(h, self.now).0,
        };
        e.insert("message".into(), json!(format!("{}: {words}", p.id)));
        if let Why::Reminder(stage) = item.why {
            e.insert(
                "stage".into(),
                json!(crate::domain::duration::Duration::seconds(stage.num_seconds()).to_string()),
            );
        }
        e.insert("fix".into(), json!(fix(item)));
        // Whose it is, at the top, for a mail command or webhook to route by.
        e.insert("owner".into(), json!(p.owner));
        e.insert("tags".into(), json!(p.tags));
        e.insert("profile".into(), profile_json(p, h));
        e
    }

    /// The event for one profile (`digest = false`), as it has always been.
    fn single_event(&self, item: &News) -> Value {
        let mut e = self.entry(item);
        e.insert("host".into(), json!(self.host));
        e.insert("time".into(), json!(self.stamp()));
        Value::Object(e)
    }

    /// One event for every profile that is news this run, with a summary for people.
    /// Its `event` is its profiles' when they all share one (a digest of recoveries is
    /// `recovered`, never a call for attention), else `profile_needs_attention`.
    fn digest_event(&self, news: &[News]) -> Value {
        let text = summary(news);
        let first = news.first().map(|i| i.why.event());
        let event = match first {
            Some(e) if news.iter().all(|i| i.why.event() == e) => e,
            _ => NotifyEvent::ProfileNeedsAttention,
        };
        json!({
            "event": event.as_str(),
            "digest": true,
            "summary": text,
            "message": text.lines().next().unwrap_or_default(),
            "count": news.len(),
            "host": self.host,
            "time": self.stamp(),
            "profiles": news.iter().map(|i| Value::Object(self.entry(i))).collect::<Vec<_>>(),
        })
    }

    fn stamp(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// The command that fixes what an item is about, if one does (for failing renewals,
/// the provider's configuration when that is what fails them).
fn fix(item: &News) -> Option<String> {
    match item.why {
        Why::Recovered => None,
        Why::Failing => item.health.fix(item.profile),
        _ => Some(format!("sbctl reauth {}", item.profile.id)),
    }
}

/// "12 profiles need attention" and a line per kind of news with its networks, then
/// each profile's fix:
/// `12 × need re-authorization, password changed (facebook ×12): sbctl reauth acme; ...`.
fn summary(news: &[News]) -> String {
    let mut groups: BTreeMap<(u8, String), Vec<&News>> = BTreeMap::new();
    for item in news {
        let h = &item.health;
        let group = match item.why {
            Why::Attention if h.status == Status::ReauthRequired => (
                0,
                format!(
                    "need re-authorization, {}",
                    h.reason.map_or("reason unknown", |r| r.describe())
                ),
            ),
            Why::Attention => (1, "expiring: re-authorize before the deadline".to_owned()),
            Why::Reminder(stage) => (
                2,
                format!(
                    "reminder: deadline within {}",
                    crate::domain::duration::Duration::seconds(stage.num_seconds())
                ),
            ),
            Why::Failing => (3, "renewals keep failing (tokens still work)".to_owned()),
            Why::Recovered => (4, "working again".to_owned()),
        };
        groups.entry(group).or_default().push(item);
    }
    let recovered = news.iter().filter(|i| i.why == Why::Recovered).count();
    let mut text = match news.len() - recovered {
        0 => String::new(),
        1 => "1 profile needs attention".to_owned(),
        n => format!("{n} profiles need attention"),
    };
    if recovered > 0 {
        let works = match recovered {
            1 => "1 profile works again".to_owned(),
            n => format!("{n} profiles work again"),
        };
        text = if text.is_empty() {
            works
        } else {
            format!("{text}; {works}")
        };
    }
    for ((_, words), members) in groups {
        let mut networks: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &members {
            *networks.entry(i.profile.network.as_str()).or_default() += 1;
        }
        let networks: Vec<String> = networks.iter().map(|(n, c)| format!("{n} ×{c}")).collect();
        let fixes: Vec<String> = members.iter().filter_map(|i| fix(i)).collect();
        text.push_str(&format!(
            "\n{} × {words} ({})",
            members.len(),
            networks.join(", ")
        ));
        if !fixes.is_empty() {
            text.push_str(&format!(": {}", fixes.join("; ")));
        }
    }
    // Where owners are set, whom each profile is for, so that a digest can be read
    // (or forwarded) one person at a time.
    if news.iter().any(|i| i.profile.owner.is_some()) {
        let mut owners: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
        for i in news {
            owners
                .entry(i.profile.owner.as_deref())
                .or_default()
                .push(i.profile.id.as_str());
        }
        // Those with an owner first, by owner, then the rest.
        let (owned, unowned): (Vec<_>, Vec<_>) = owners.iter().partition(|(o, _)| o.is_some());
        for (owner, ids) in owned.into_iter().chain(unowned) {
            text.push_str(&format!(
                "\nfor {}: {}",
                owner.unwrap_or("no owner"),
                ids.join(", ")
            ));
        }
    }
    text
}

/// Runs the notify command with the event on its stdin. The 30 s cover everything,
/// the writing of the event too: a command that neither reads nor exits is stopped
/// with all it started (it runs as a process group of its own), and the run goes on.
fn run_command(command: &str, stdin: &[u8]) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| crate::error::io_reason(&e))?;
    // What it says on stderr, for the report when it fails.
    let heard = child.stderr.take().map(crate::child::stderr_of);
    // Written on a thread of its own: a pipe takes 64 KiB, and a command that does not
    // read would block the write for good. A command that does not read its input is
    // its own business; the write ends when the pipe closes. The thread is not waited
    // for: a command that exited may have left a process behind that holds its input.
    let _writer = child.stdin.take().map(|mut input| {
        let event = stdin.to_vec();
        std::thread::spawn(move || {
            let _ = input.write_all(&event);
        })
    });
    let result = loop {
        match child.try_wait().map_err(|e| crate::error::io_reason(&e))? {
            Some(status) if status.success() => break Ok(()),
            Some(status) => {
                break Err(match heard.as_ref().and_then(crate::child::last_line) {
                    Some(line) => format!("it exited with {status}: {line}"),
                    None => format!("it exited with {status}"),
                });
            }
            None if Instant::now() >= deadline => {
                // Whatever it started goes with it (its process group, whose leader is
                // not reaped yet, so the group is still its own), which closes the
                // pipe and ends the writer.
                // SAFETY: kill has no memory preconditions.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                let _ = child.wait();
                break Err("it ran longer than 30s and was stopped".into());
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    result
}

/// POSTs an event; 429 and 5xx are retried with backoff, honouring `Retry-After`.
/// Everything, the attempts and the waits between them, fits in `WEBHOOK_BUDGET`.
fn post(http: &oauth2::reqwest::blocking::Client, url: &str, body: &[u8]) -> Result<(), String> {
    let deadline = Instant::now() + WEBHOOK_BUDGET;
    let mut attempt = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let request = http
            .post(url)
            .timeout(left)
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        let answer = crate::oauth::http::send(request).map_err(|no| no.reason)?;
        let status = answer.status;
        if (200..300).contains(&status) {
            return Ok(());
        }
        attempt += 1;
        let passing = status == 429 || status >= 500;
        // An HTTP date means the real time, whatever the command's clock says.
        let retry_after = answer
            .retry_after
            .as_deref()
            .and_then(|h| crate::domain::failure::parse_retry_after(h, chrono::Utc::now()));
        let wait = crate::domain::renewal::backoff(attempt - 1, retry_after, rand::random());
        // Another attempt needs its wait and some time to answer within the budget.
        let room = deadline.saturating_duration_since(Instant::now());
        if !passing || attempt >= WEBHOOK_ATTEMPTS || wait + MIN_ATTEMPT > room {
            return Err(format!("HTTP {status}"));
        }
        std::thread::sleep(wait);
    }
}
