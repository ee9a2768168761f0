//! Telling someone when a profile needs them: `notify.command` (the event as JSON on
//! stdin) and/or a POST to `notify.webhook`. A profile is news at most once per
//! `notify.repeat` for each status and channel. With `digest` (the default) a run sends
//! one event listing every profile that is news, grouped in its `summary`; otherwise
//! one event per profile. A channel that fails is reported once per run and tried
//! again next run for what it did not deliver; it never changes the run's exit code.

use crate::commands::profiles::profile_json;
use crate::commands::Ctx;
use crate::domain::profile::{Health, Profile, Status};
use crate::store::ProfileStore;
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

/// Where an event goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channel<'a> {
    Command(&'a str),
    Webhook(&'a str),
}

impl Channel<'_> {
    /// The name the store remembers deliveries under.
    fn name(self) -> &'static str {
        match self {
            Channel::Command(_) => "command",
            Channel::Webhook(_) => "webhook",
        }
    }

    fn send(self, body: &[u8]) -> Result<(), String> {
        match self {
            Channel::Command(command) => run_command(command, body),
            Channel::Webhook(url) => post(url, body),
        }
    }
}

/// Sends what is news among `profiles` (with their current health). Returns warnings
/// about channels that failed, one per channel.
pub fn notify(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    profiles: &[(Profile, Health)],
) -> Vec<String> {
    let n = &ctx.settings.notify;
    let channels: Vec<Channel> = n
        .command
        .as_deref()
        .map(Channel::Command)
        .into_iter()
        .chain(n.webhook.as_deref().map(Channel::Webhook))
        .collect();
    if channels.is_empty() {
        return Vec::new();
    }
    let repeat = n.repeat.map_or(TimeDelta::hours(24), |d| d.as_delta());
    let mut warnings = Vec::new();
    // A profile that is fine again is forgotten: its next problem is news.
    for (p, _) in profiles.iter().filter(|(_, h)| h.status == Status::Ok) {
        if let Err(e) = store.clear_notified(&p.id) {
            warnings.push(e.to_string());
        }
    }
    for channel in channels {
        let mut news = Vec::new();
        for (p, h) in profiles {
            if !matches!(h.status, Status::ReauthRequired | Status::Expiring) {
                continue;
            }
            match store.notified_at(&p.id, h.status.as_str(), channel.name()) {
                Ok(Some(at)) if ctx.now - at < repeat => {}
                Ok(_) => news.push((p, *h)),
                Err(e) => warnings.push(e.to_string()),
            }
        }
        if news.is_empty() {
            continue;
        }
        let batches: Vec<Vec<(&Profile, Health)>> = if n.digest.unwrap_or(true) {
            vec![news]
        } else {
            news.into_iter().map(|one| vec![one]).collect()
        };
        let total: usize = batches.iter().map(Vec::len).sum();
        let mut delivered = 0;
        for batch in &batches {
            let event = if batch.len() == 1 && !n.digest.unwrap_or(true) {
                single_event(ctx, batch[0].0, &batch[0].1)
            } else {
                digest_event(ctx, batch)
            };
            let body = serde_json::to_vec(&event).expect("JSON serializes");
            if let Err(e) = channel.send(&body) {
                // One report a run; what was not delivered is news again next run.
                warnings.push(format!(
                    "notify {} failed ({e}); {} notifications will be sent on the next run",
                    channel.name(),
                    total - delivered
                ));
                break;
            }
            delivered += batch.len();
            for (p, h) in batch {
                if let Err(e) =
                    store.set_notified(&p.id, (h.status.as_str(), channel.name()), ctx.now)
                {
                    warnings.push(e.to_string());
                }
            }
        }
    }
    warnings
}

/// One profile's part of an event: what is wrong and the command that fixes it.
fn entry(ctx: &Ctx, p: &Profile, h: &Health) -> serde_json::Map<String, Value> {
    let mut e = serde_json::Map::new();
    e.insert("status".into(), json!(h.status.as_str()));
    e.insert("reason".into(), json!(h.reason.map(|r| r.as_str())));
    e.insert(
        "message".into(),
        json!(format!(
            "{}: {}",
            p.id,
            crate::commands::status_words(h, ctx.now).0
        )),
    );
    e.insert("fix".into(), json!(format!("sbctl reauth {}", p.id)));
    e.insert("profile".into(), profile_json(p, h));
    e
}

/// The event for one profile (`digest = false`), as it has always been.
fn single_event(ctx: &Ctx, p: &Profile, h: &Health) -> Value {
    let mut e = serde_json::Map::new();
    e.insert("event".into(), json!("profile_needs_attention"));
    e.extend(entry(ctx, p, h));
    e.insert("host".into(), json!(ctx.settings.user_at_host));
    e.insert("time".into(), json!(stamp(ctx)));
    Value::Object(e)
}

/// One event for every profile that is news this run, with a summary for people.
fn digest_event(ctx: &Ctx, news: &[(&Profile, Health)]) -> Value {
    let text = summary(news);
    json!({
        "event": "profile_needs_attention",
        "digest": true,
        "summary": text,
        "message": text.lines().next().unwrap_or_default(),
        "count": news.len(),
        "host": ctx.settings.user_at_host,
        "time": stamp(ctx),
        "profiles": news.iter().map(|(p, h)| Value::Object(entry(ctx, p, h))).collect::<Vec<_>>(),
    })
}

fn stamp(ctx: &Ctx) -> String {
    ctx.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// "12 profiles need attention" and a line per status and reason with its networks,
/// then each profile's fix:
/// `12 × password changed (facebook ×12): sbctl reauth acme, ...`.
fn summary(news: &[(&Profile, Health)]) -> String {
    let mut groups: BTreeMap<(u8, String), Vec<&Profile>> = BTreeMap::new();
    for (p, h) in news {
        let (rank, words) = match h.status {
            Status::ReauthRequired => (
                0,
                format!(
                    "need re-authorization, {}",
                    h.reason.map_or("reason unknown", |r| r.describe())
                ),
            ),
            _ => (1, "expiring: re-authorize before the deadline".to_owned()),
        };
        groups.entry((rank, words)).or_default().push(p);
    }
    let mut text = match news.len() {
        1 => "1 profile needs attention".to_owned(),
        n => format!("{n} profiles need attention"),
    };
    for ((_, words), members) in groups {
        let mut networks: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &members {
            *networks.entry(p.network.as_str()).or_default() += 1;
        }
        let networks: Vec<String> = networks.iter().map(|(n, c)| format!("{n} ×{c}")).collect();
        let fixes: Vec<String> = members
            .iter()
            .map(|p| format!("sbctl reauth {}", p.id))
            .collect();
        text.push_str(&format!(
            "\n{} × {words} ({}): {}",
            members.len(),
            networks.join(", "),
            fixes.join("; ")
        ));
    }
    text
}

fn run_command(command: &str, stdin: &[u8]) -> Result<(), String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| crate::error::io_reason(&e))?;
    if let Some(mut input) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = input.write_all(stdin);
    }
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        match child.try_wait().map_err(|e| crate::error::io_reason(&e))? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("it exited with {status}")),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("it ran longer than 30s and was stopped".into());
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// POSTs an event; 429 and 5xx are retried with backoff, honouring `Retry-After`,
/// within `WEBHOOK_BUDGET`.
fn post(url: &str, body: &[u8]) -> Result<(), String> {
    // The events name profiles and accounts: https only, as the providers' endpoints,
    // except on this machine.
    crate::networks::http::check_scheme("notify", "webhook", url).map_err(|e| e.message)?;
    let client = crate::oauth::http_client(crate::oauth::HTTP_TIMEOUT);
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let response = client
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .map_err(|e| crate::networks::http::reqwest_reason(&e))?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Ok(());
        }
        attempt += 1;
        let passing = status == 429 || status >= 500;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| crate::domain::failure::parse_retry_after(h, chrono::Utc::now()));
        let wait = crate::domain::renewal::backoff(attempt - 1, retry_after, rand::random());
        if !passing || attempt >= WEBHOOK_ATTEMPTS || started.elapsed() + wait > WEBHOOK_BUDGET {
            return Err(format!("HTTP {status}"));
        }
        std::thread::sleep(wait);
    }
}
