//! `sbctl doctor`: is everything sbctl depends on in working order? Exit 1 if not.

use crate::commands::Ctx;
use crate::domain::profile::{Standing, Timestamp};
use crate::error::{Attention, Error, ErrorKind, Explained, Result};
use crate::secrets::{client_key, SecretStore};
use crate::store::{ListFilter, ProfileStore};
use clap::Args;
use std::collections::BTreeMap;
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

/// Every check runs, whatever an earlier one found, and each says what it found.
pub fn run(_args: DoctorArgs, ctx: &Ctx) -> Result<Attention> {
    let mut r = Report {
        lines: Vec::new(),
        failed: false,
    };
    settings(ctx, &mut r);
    let mut store = match ctx.store() {
        Ok(store) => Some(store),
        Err(e) => {
            r.fail("database", e.to_string());
            None
        }
    };
    let secrets = match store.as_mut() {
        Some(store) => {
            let profiles = database(ctx, store.as_ref(), &mut r);
            match ctx.secrets(store.as_mut()) {
                Ok(secrets) => {
                    secret_store(ctx, (secrets.as_ref(), profiles), &mut r).then_some(secrets)
                }
                Err(e) => {
                    r.fail("secrets", e.to_string());
                    None
                }
            }
        }
        None => {
            r.warn("secrets", "not checked: the database did not open".into());
            None
        }
    };
    providers(ctx, (store.as_deref(), secrets.as_deref()), &mut r)?;
    finish(ctx, r)
}

/// The version, the config file, the settings and the notifications.
fn settings(ctx: &Ctx, r: &mut Report) {
    let s = &ctx.settings;
    r.ok("sbctl", format!("version {}", crate::version::VERSION));
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
    // The same rule as a delivery: a webhook that may never be used is broken now.
    match s
        .notify
        .webhook
        .as_deref()
        .and_then(crate::oauth::http::insecure)
    {
        Some(why) => r.fail(
            "notify",
            format!(
                "webhook `{}` {why}: no event can be sent; fix [notify] webhook in {}",
                s.notify.webhook.as_deref().unwrap_or_default(),
                s.config_path.display()
            ),
        ),
        None => r.ok("notify", notify_words(&s.notify)),
    }
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

/// The database: where, which schema, how many profiles (returned), and its mode.
fn database(ctx: &Ctx, store: &dyn crate::store::ProfileStore, r: &mut Report) -> usize {
    let path = &ctx.settings.db_path;
    let info = store.describe();
    // Counted as they are read, not held.
    let mut count = 0;
    if let Err(e) = store.each(&ListFilter::default(), &mut |_| count += 1) {
        r.fail("database", format!("{}: {e}", info.location));
        return 0;
    }
    let db_text = format!(
        "{}: schema {}, {}",
        info.location,
        info.schema_version,
        crate::ui::count(count, "profile", "profiles")
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
    count
}

/// Past this many profiles, one keyring item per token makes every command that reads
/// them all slow (each item is a D-Bus round trip, and the keyring rewrites its file
/// on each change).
const KEYRING_ITEMS_COMFORTABLE: usize = 300;

/// The secret store: which, and whether it works (for the database's `profiles`).
/// Whether it does.
fn secret_store(ctx: &Ctx, (secrets, profiles): (&dyn SecretStore, usize), r: &mut Report) -> bool {
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
            if secrets.kind() == crate::secrets::Kind::KeyringItems
                && profiles > KEYRING_ITEMS_COMFORTABLE
            {
                r.warn(
                    "secrets",
                    format!("{profiles} profiles in separate keyring items: every command that reads them all (check, import, export) takes a D-Bus round trip for each; secret_store = \"keyring\" keeps one key in the keyring and the tokens in the secrets file, and moves them there once"),
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

/// Each provider, judged as the commands will use it: its settings (endpoints,
/// discovery, `login`), its client id, where its secret is (`secrets` is the secret
/// store when it works), and the profiles whose renewals its configuration fails.
fn providers(
    ctx: &Ctx,
    (store, secrets): (Option<&dyn ProfileStore>, Option<&dyn SecretStore>),
    r: &mut Report,
) -> Result<()> {
    let s = &ctx.settings;
    let http = ctx.http();
    let config_path = s.config_path.display().to_string();
    let failing = misconfigured(store).unwrap_or_else(|e| {
        r.fail("profiles", e.to_string());
        BTreeMap::new()
    });
    let mut unconfigured = Vec::new();
    for p in s.providers.values() {
        let topic = format!("provider {}", p.name);
        if let Err(e) = ctx.check_provider(p, &http) {
            match e.kind {
                ErrorKind::Transient => r.warn(&topic, format!("could not be checked now: {e}")),
                _ => r.fail(&topic, e.to_string()),
            }
            continue;
        }
        let stored = match secrets {
            Some(secrets) => match secrets.get(&client_key(&p.name)) {
                Ok(found) => found.is_some(),
                Err(e) => {
                    r.fail(&topic, format!("its client secret cannot be read: {e}"));
                    continue;
                }
            },
            None => false,
        };
        if p.built_in && p.config.client_id.is_none() && p.env_secret.is_none() {
            if stored {
                r.warn(
                    &topic,
                    format!("a client secret is stored, but there is no client_id: set it under [providers.{}] in {config_path}", p.name),
                );
            } else {
                unconfigured.push(p.name.as_str());
            }
            continue;
        }
        let client_id = match crate::networks::client_id(p, &config_path) {
            Ok(id) => id,
            Err(e) => {
                r.fail(&topic, e.to_string());
                continue;
            }
        };
        let secret = if p.env_secret.is_some() {
            Some(format!(
                "from {}",
                crate::config::Provider::env_var(&p.name)
            ))
        } else if secrets.is_none() {
            Some("not checked (the secret store does not work)".to_owned())
        } else {
            stored.then(|| "in the secret store".to_owned())
        };
        match (secret, failing.get(&p.name)) {
            (_, Some((n, error))) => r.fail(
                &topic,
                format!(
                    "client_id {client_id}; renewals of {} fail for this provider's configuration, the last: {error}",
                    crate::ui::count(*n, "profile", "profiles")
                ),
            ),
            (Some(where_), None) => r.ok(
                &topic,
                format!("client_id {client_id}, client secret {where_}"),
            ),
            (None, None) if p.config.client_auth == Some(crate::config::ClientAuth::None) => r.ok(
                &topic,
                format!("client_id {client_id}, public client (no secret)"),
            ),
            (None, None) => r.fail(
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

/// Per provider, how many profiles' renewals its configuration fails, and the error
/// the latest of them recorded.
fn misconfigured(store: Option<&dyn ProfileStore>) -> Result<BTreeMap<String, (usize, String)>> {
    let mut failing: BTreeMap<String, (usize, Timestamp, String)> = BTreeMap::new();
    if let Some(store) = store {
        store.each(&ListFilter::default(), &mut |p| {
            if let Standing::RefreshFailed {
                config: Some(_), ..
            } = p.standing
            {
                let entry = failing.entry(p.network).or_default();
                entry.0 += 1;
                if p.updated_at >= entry.1 {
                    entry.1 = p.updated_at;
                    entry.2 = p.last_error.unwrap_or_default();
                }
            }
        })?;
    }
    Ok(failing
        .into_iter()
        .map(|(network, (n, _, error))| (network, (n, error)))
        .collect())
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
