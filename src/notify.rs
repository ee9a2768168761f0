//! Telling someone when a profile needs them: `notify.command` (the event as JSON on
//! stdin) and/or a POST to `notify.webhook`, at most once per `notify.repeat` for each
//! profile and status. A failing notifier is reported, never fatal.

use crate::commands::profiles::profile_json;
use crate::commands::Ctx;
use crate::domain::profile::{Health, Profile, Status};
use crate::store::ProfileStore;
use chrono::TimeDelta;
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a notify command may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends what is due for `profiles` (with their current health). Returns warnings about
/// notifiers that failed.
pub fn notify(
    ctx: &Ctx,
    store: &mut dyn ProfileStore,
    profiles: &[(Profile, Health)],
) -> Vec<String> {
    let n = &ctx.settings.notify;
    if n.command.is_none() && n.webhook.is_none() {
        return Vec::new();
    }
    let repeat = n.repeat.map_or(TimeDelta::hours(24), |d| d.as_delta());
    let mut warnings = Vec::new();
    for (p, h) in profiles {
        let status = h.status.as_str();
        if !matches!(h.status, Status::ReauthRequired | Status::Expiring) {
            if h.status == Status::Ok {
                if let Err(e) = store.clear_notified(&p.id) {
                    warnings.push(e.to_string());
                }
            }
            continue;
        }
        match store.notified_at(&p.id, status) {
            Ok(Some(at)) if ctx.now - at < repeat => continue,
            Ok(_) => {}
            Err(e) => {
                warnings.push(e.to_string());
                continue;
            }
        }
        let event = json!({
            "event": "profile_needs_attention",
            "status": status,
            "reason": h.reason.map(|r| r.as_str()),
            "message": format!("{}: {}", p.id, crate::commands::status_words(h, ctx.now).0),
            "fix": format!("sbctl reauth {}", p.id),
            "host": ctx.settings.user_at_host,
            "time": ctx.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "profile": profile_json(p, h),
        });
        let body = serde_json::to_vec(&event).expect("JSON serializes");
        let mut sent = false;
        if let Some(command) = &n.command {
            match run_command(command, &body) {
                Ok(()) => sent = true,
                Err(e) => warnings.push(format!("{}: notify command failed ({e})", p.id)),
            }
        }
        if let Some(url) = &n.webhook {
            match post(url, &body) {
                Ok(()) => sent = true,
                Err(e) => warnings.push(format!("{}: notify webhook failed ({e})", p.id)),
            }
        }
        if sent {
            if let Err(e) = store.set_notified(&p.id, status, ctx.now) {
                warnings.push(e.to_string());
            }
        }
    }
    warnings
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

fn post(url: &str, body: &[u8]) -> Result<(), String> {
    // The events name profiles and accounts: https only, as the providers' endpoints,
    // except on this machine.
    crate::networks::http::check_scheme("notify", "webhook", url).map_err(|e| e.message)?;
    let response = crate::oauth::http_client(crate::oauth::HTTP_TIMEOUT)
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .map_err(|e| crate::networks::http::reqwest_reason(&e))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", response.status().as_u16()))
    }
}
