//! `sbctl doctor`: is everything sbctl depends on in working order? Exit 1 if not.

use crate::commands::Ctx;
use crate::error::{Attention, Error, Result};
use crate::secrets::client_key;
use crate::store::ListFilter;
use clap::Args;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[derive(Debug, Args)]
pub struct DoctorArgs {}

/// One line of the report: `ok`, `warn` or `FAIL`, a topic, and what was found.
struct Report {
    lines: Vec<(&'static str, String, String)>,
    failed: bool,
}

impl Report {
    fn ok(&mut self, topic: &str, text: String) {
        self.lines.push(("ok", topic.into(), text));
    }
    fn warn(&mut self, topic: &str, text: String) {
        self.lines.push(("warn", topic.into(), text));
    }
    fn fail(&mut self, topic: &str, text: String) {
        self.failed = true;
        self.lines.push(("FAIL", topic.into(), text));
    }
}

fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path).ok().map(|m| m.mode() & 0o777)
}

pub fn run(_args: DoctorArgs, ctx: &Ctx) -> Result<Attention> {
    let s = &ctx.settings;
    let mut r = Report {
        lines: Vec::new(),
        failed: false,
    };
    r.ok("sbctl", format!("version {}", env!("CARGO_PKG_VERSION")));
    if s.config_found {
        r.ok("config", s.config_path.display().to_string());
    } else {
        r.ok(
            "config",
            format!("{} (not present: defaults in use)", s.config_path.display()),
        );
    }
    r.ok(
        "settings",
        format!(
            "refresh_ahead {}, warn_within {}, verify_every {}, concurrency {}",
            s.refresh_ahead, s.warn_within, s.verify_every, s.concurrency
        ),
    );
    let notify = match (&s.notify.command, &s.notify.webhook) {
        (None, None) => "none configured".to_owned(),
        (c, w) => format!(
            "{}{}, repeat {}, {}{}",
            if c.is_some() { "command" } else { "" },
            match (c, w) {
                (Some(_), Some(_)) => " and webhook",
                (None, Some(_)) => "webhook",
                _ => "",
            },
            s.notify.repeat.map_or("24h".to_owned(), |d| d.to_string()),
            if s.notify.digest.unwrap_or(true) {
                "one digest per run"
            } else {
                "one event per profile"
            },
            match &s.notify.reminders {
                Some(stages) if !stages.is_empty() => format!(
                    ", reminders at {}",
                    stages
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => String::new(),
            }
        ),
    };
    r.ok("notify", notify);

    let mut store = match ctx.store() {
        Ok(store) => store,
        Err(e) => {
            r.fail("database", e.to_string());
            return finish(ctx, r);
        }
    };
    let info = store.describe();
    let count = store.list(&ListFilter::default())?.len();
    let db_text = format!(
        "{}: schema {}, {count} profiles",
        info.location, info.schema_version
    );
    match mode_of(&s.db_path) {
        Some(m) if m & 0o077 != 0 => r.warn(
            "database",
            format!(
                "{db_text}; mode {m:03o}: run `chmod 600 {}`",
                s.db_path.display()
            ),
        ),
        _ => r.ok("database", db_text),
    }

    let secrets = ctx.secrets(store.as_mut())?;
    let store_text = format!("{} ({})", secrets.kind(), secrets.location());
    let secrets_work = match secrets.probe() {
        Ok(()) => {
            r.ok("secrets", format!("{store_text}: working"));
            if secrets.kind() == "file" && ctx.settings.secrets_key.is_none() {
                r.warn(
                    "secrets",
                    "the secrets file is not encrypted: a copy of the disk or a backup gives the tokens away; set SBCTL_SECRETS_KEY_FILE (or secrets_key_file) to an age key to encrypt it".into(),
                );
            }
            true
        }
        Err(e) => {
            let hint = e.hint().map(|h| format!("; {h}")).unwrap_or_default();
            r.fail("secrets", format!("{store_text}: {e}{hint}"));
            false
        }
    };

    let mut unconfigured = Vec::new();
    for p in s.providers.values() {
        if p.built_in && p.config.client_id.is_none() && p.env_secret.is_none() {
            unconfigured.push(p.name.as_str());
            continue;
        }
        let topic = format!("provider {}", p.name);
        let Some(client_id) = &p.config.client_id else {
            r.warn(
                &topic,
                format!(
                    "no client_id: set it under [providers.{}] in {}",
                    p.name,
                    s.config_path.display()
                ),
            );
            continue;
        };
        let secret = if p.env_secret.is_some() {
            Some(format!(
                "from {}",
                crate::config::Provider::env_var(&p.name)
            ))
        } else if secrets_work {
            secrets
                .get(&client_key(&p.name))?
                .map(|_| "in the secret store".to_owned())
        } else {
            Some("unknown (secret store not working)".to_owned())
        };
        match secret {
            Some(where_) => r.ok(
                &topic,
                format!("client_id {client_id}, client secret {where_}"),
            ),
            None if p.config.client_auth == Some(crate::config::ClientAuth::None) => r.ok(
                &topic,
                format!("client_id {client_id}, public client (no secret)"),
            ),
            None => r.warn(
                &topic,
                format!(
                    "client_id {client_id}, no client secret: run `sbctl providers set-secret {}`",
                    p.name
                ),
            ),
        }
    }
    if !unconfigured.is_empty() {
        r.ok(
            "networks",
            format!("not configured (no client_id): {}", unconfigured.join(", ")),
        );
    }
    finish(ctx, r)
}

fn finish(ctx: &Ctx, r: Report) -> Result<Attention> {
    let width = r.lines.iter().map(|(_, t, _)| t.len()).max().unwrap_or(0);
    let text: String = r
        .lines
        .iter()
        .map(|(mark, topic, text)| format!("{mark:<4}  {topic:<width$}  {text}\n"))
        .collect();
    ctx.ui.data(&text);
    if r.failed {
        Err(Error::failed(
            "doctor found problems (the lines marked FAIL)",
        ))
    } else {
        Ok(Attention::None)
    }
}
