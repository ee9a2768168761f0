//! `sbctl doctor`: is everything sbctl depends on in working order? Exit 1 if not.

use crate::commands::Ctx;
use crate::error::{Attention, Error, Explained, Result};
use crate::secrets::{client_key, SecretStore};
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
    let mut r = Report {
        lines: Vec::new(),
        failed: false,
    };
    settings(ctx, &mut r);
    let mut store = match ctx.store() {
        Ok(store) => store,
        Err(e) => {
            r.fail("database", e.to_string());
            return finish(ctx, r);
        }
    };
    database(ctx, store.as_ref(), &mut r)?;
    let secrets = ctx.secrets(store.as_mut())?;
    let secrets_work = secret_store(ctx, secrets.as_ref(), &mut r);
    providers(ctx, secrets_work.then_some(secrets.as_ref()), &mut r)?;
    finish(ctx, r)
}

/// The version, the config file, the settings and the notifications.
fn settings(ctx: &Ctx, r: &mut Report) {
    let s = &ctx.settings;
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
    r.ok("notify", notify_words(&s.notify));
}

/// `command and webhook, repeat 24h, one digest per run, reminders at 14d, 1d`.
fn notify_words(n: &crate::config::NotifyConfig) -> String {
    let (c, w) = (&n.command, &n.webhook);
    if c.is_none() && w.is_none() {
        return "none configured".to_owned();
    }
    let channels = match (c, w) {
        (Some(_), Some(_)) => "command and webhook",
        (None, Some(_)) => "webhook",
        _ => "command",
    };
    let repeat = n.repeat.map_or("24h".to_owned(), |d| d.to_string());
    let digest = if n.digest.unwrap_or(true) {
        "one digest per run"
    } else {
        "one event per profile"
    };
    let reminders = match &n.reminders {
        Some(stages) if !stages.is_empty() => format!(
            ", reminders at {}",
            stages
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    };
    format!("{channels}, repeat {repeat}, {digest}{reminders}")
}

/// The database: where, which schema, how many profiles, and its mode.
fn database(ctx: &Ctx, store: &dyn crate::store::ProfileStore, r: &mut Report) -> Result<()> {
    let path = &ctx.settings.db_path;
    let info = store.describe();
    let count = store.list(&ListFilter::default())?.len();
    let db_text = format!(
        "{}: schema {}, {count} profiles",
        info.location, info.schema_version
    );
    match mode_of(path) {
        Some(m) if m & 0o077 != 0 => r.warn(
            "database",
            format!(
                "{db_text}; mode {m:03o}: run `chmod 600 {}`",
                path.display()
            ),
        ),
        _ => r.ok("database", db_text),
    }
    Ok(())
}

/// The secret store: which, and whether it works. Whether it does.
fn secret_store(ctx: &Ctx, secrets: &dyn SecretStore, r: &mut Report) -> bool {
    let store_text = format!("{} ({})", secrets.kind().as_str(), secrets.location());
    match secrets.probe() {
        Ok(()) => {
            r.ok("secrets", format!("{store_text}: working"));
            if secrets.kind() == crate::secrets::Kind::File && ctx.settings.secrets_key.is_none() {
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
    }
}

/// Each configured provider: its client id and where its secret is. `secrets` is the
/// secret store when it works.
fn providers(ctx: &Ctx, secrets: Option<&dyn SecretStore>, r: &mut Report) -> Result<()> {
    let s = &ctx.settings;
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
        let secret = match secrets {
            _ if p.env_secret.is_some() => Some(format!(
                "from {}",
                crate::config::Provider::env_var(&p.name)
            )),
            Some(secrets) => secrets
                .get(&client_key(&p.name))?
                .map(|_| "in the secret store".to_owned()),
            None => Some("unknown (secret store not working)".to_owned()),
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
    Ok(())
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
