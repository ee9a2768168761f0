//! One file per command or command group. Each gets a `Ctx` holding the resolved
//! settings, the terminal door and the current time, and opens what it needs.

pub mod authorize;
pub mod check;
pub mod completions;
pub mod doctor;
pub mod man;
pub mod metrics;
pub mod profiles;
pub mod providers;
pub mod reauth;
pub mod refresh;
pub mod report;
pub mod secrets;
pub mod token;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Settings;
use crate::domain::profile::{Health, Profile, ProfileId, Timestamp};
use crate::error::{Attention, Error, Result};
use crate::secrets::{Kind, SecretStore};
use crate::store::{Location, ProfileStore};
use crate::ui::Ui;
use std::path::{Path, PathBuf};

/// The `meta` key remembering which secret store holds this database's secrets.
const SECRET_STORE_META: &str = "secret_store";
/// Set once `auto` has said that it fell back to the file store.
const FALLBACK_SAID_META: &str = "secret_store_fallback_said";
/// Set once sbctl has said that 0.2's keyring items were not found to be moved.
const ITEMS_MISSING_SAID_META: &str = "keyring_items_missing_said";

pub struct Ctx {
    pub settings: Settings,
    pub ui: Ui,
    /// The time the command started, read from `clock`.
    pub now: Timestamp,
    /// Where the time is read during the command: the engine, leases and notify.
    pub clock: crate::clock::Clock,
    /// The database was opened once already (each renewal worker opens its own): what
    /// opening says is said once.
    opened: std::sync::atomic::AtomicBool,
}

/// Discovery documents kept in the profile database (`meta`), which is opened when a
/// provider first asks: only one with `issuer` does. Kept best-effort: a store that
/// cannot be read or written only means asking the provider again.
struct StoredDiscovery<'a> {
    ctx: &'a Ctx,
    store: std::cell::RefCell<Option<Box<dyn ProfileStore>>>,
}

/// How long a discovery document is used without asking the provider again.
const DISCOVERY_FRESH: chrono::TimeDelta = chrono::TimeDelta::days(1);

impl StoredDiscovery<'_> {
    fn key(issuer: &str) -> String {
        format!("discovery:{}", issuer.trim_end_matches('/'))
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn ProfileStore) -> Option<T>) -> Option<T> {
        let mut slot = self.store.borrow_mut();
        if slot.is_none() {
            *slot = self.ctx.store().ok();
        }
        f(slot.as_mut()?.as_mut())
    }
}

impl crate::networks::DiscoveryCache for StoredDiscovery<'_> {
    fn load(&self, issuer: &str) -> Option<crate::networks::CachedDiscovery> {
        let text = self.with(|s| s.meta(&Self::key(issuer)).ok().flatten())?;
        let kept: serde_json::Value = serde_json::from_str(&text).ok()?;
        let fetched = chrono::DateTime::from_timestamp(kept["fetched_at"].as_i64()?, 0)?;
        Some(crate::networks::CachedDiscovery {
            document: kept["document"].as_str()?.to_owned(),
            fresh: self.ctx.now - fetched < DISCOVERY_FRESH,
        })
    }

    fn save(&self, issuer: &str, document: &str) {
        let kept =
            serde_json::json!({"fetched_at": self.ctx.now.timestamp(), "document": document});
        self.with(|s| s.set_meta(&Self::key(issuer), &kept.to_string()).ok());
    }
}

/// Discovery documents kept nowhere, where sbctl keeps nothing.
struct KeepNothing;

impl crate::networks::DiscoveryCache for KeepNothing {
    fn load(&self, _: &str) -> Option<crate::networks::CachedDiscovery> {
        None
    }
    fn save(&self, _: &str, _: &str) {}
}

impl Ctx {
    /// A provider resolved for use (`Net::resolve`), its discovery document kept in
    /// the profile database between runs; its client secret is read here, from
    /// `SBCTL_CLIENT_SECRET_<NAME>`, else the secret store.
    pub fn resolve(
        &self,
        provider: &crate::config::Provider,
        secrets: &dyn SecretStore,
        http: &oauth2::reqwest::blocking::Client,
    ) -> Result<crate::networks::Net> {
        let secret = match &provider.env_secret {
            Some(s) => Some(s.clone()),
            None => secrets.get(&crate::secrets::client_key(&provider.name))?,
        };
        self.with_discovery(|place| crate::networks::Net::resolve(provider, secret, http, place))
    }

    /// A provider resolved where nothing is kept (`sbctl authorize`): its client
    /// secret from `SBCTL_CLIENT_SECRET_<NAME>` only, its discovery document asked for
    /// each time.
    pub fn resolve_alone(
        &self,
        provider: &crate::config::Provider,
        http: &oauth2::reqwest::blocking::Client,
    ) -> Result<crate::networks::Net> {
        let config_path = self.settings.config_path.display().to_string();
        crate::networks::Net::resolve(
            provider,
            provider.env_secret.clone(),
            http,
            (&config_path, &KeepNothing),
        )
        .map_err(|e| match provider.env_secret {
            None if e.message.contains("no client secret") => e.hint(
                "`sbctl authorize` opens no secret store: give it the client secret in the environment",
            ),
            _ => e,
        })
    }

    /// A provider's settings checked as `resolve` reads them, but for the client
    /// secret (`networks::check_settings`).
    pub fn check_provider(
        &self,
        provider: &crate::config::Provider,
        http: &oauth2::reqwest::blocking::Client,
    ) -> Result<()> {
        self.with_discovery(|place| crate::networks::check_settings(provider, http, place))
    }

    /// The config file's path (for errors) and the discovery documents kept in the
    /// profile database, for reading a provider's settings.
    fn with_discovery<T>(
        &self,
        f: impl FnOnce((&str, &dyn crate::networks::DiscoveryCache)) -> T,
    ) -> T {
        let discovery = StoredDiscovery {
            ctx: self,
            store: std::cell::RefCell::new(None),
        };
        let config_path = self.settings.config_path.display().to_string();
        f((&config_path, &discovery))
    }

    /// Writes what `fill` writes to the output file the user named (a report,
    /// metrics), replacing it at once (mode 0644), or to stdout without one (where a
    /// closed pipe, `| head`, is not an error). Never over sbctl's own files or any
    /// SQLite database, which a slip of `--output` would lose (every token with the
    /// secrets file).
    pub fn write_output(
        &self,
        path: Option<&Path>,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let Some(path) = path else {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            return match fill(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::failed(
                    format!("cannot write the output: {}", crate::error::io_reason(&e)),
                )),
                _ => Ok(()),
            };
        };
        let s = &self.settings;
        let key = match &s.secrets_key {
            Some(crate::secrets::KeySource::File(key)) => Some(key.as_path()),
            _ => None,
        };
        let own: Vec<&Path> = [&s.db_path, &s.secrets_file, &s.config_path]
            .into_iter()
            .map(PathBuf::as_path)
            .chain(key)
            .collect();
        if let Some(why) = crate::perms::precious(path, &own) {
            return Err(
                Error::failed(format!("will not write over {}: {why}", path.display()))
                    .hint("name another file; nothing was written"),
            );
        }
        crate::perms::write_atomically(path, 0o644, fill).map_err(|e| {
            Error::failed(format!(
                "cannot write {}: {}",
                path.display(),
                crate::error::io_reason(&e)
            ))
        })
    }

    pub fn store(&self) -> Result<Box<dyn ProfileStore>> {
        let location = Location::of(&self.settings.db_path);
        if !self.opened.swap(true, std::sync::atomic::Ordering::Relaxed) {
            self.ui.debug(&format!("database: {location}"));
        }
        let store = crate::store::open(&location)?;
        // One line for the database and its companions (-wal, -shm).
        if let Some((file, mode)) = store.repaired.first() {
            let what = match store.repaired.len() {
                1 => file.display().to_string(),
                _ => format!(
                    "{} (with its -wal and -shm files)",
                    self.settings.db_path.display()
                ),
            };
            self.ui.warn(&format!(
                "{what} was readable by others (mode {mode:o}); it is now readable by you only (600)"
            ));
        }
        Ok(store.store)
    }

    /// The secret store to use. `auto` follows the store this database's secrets were
    /// first written to (so that a cron job without a keyring session does not look in
    /// the wrong place); on a new database it asks the keyring and falls back to the
    /// file store with a warning. Secrets kept one per keyring item (sbctl 0.2's
    /// `keyring`) move into the secrets file, sealed with one key in the keyring, unless
    /// `keyring-items` is asked for by name.
    pub fn secrets(&self, store: &mut dyn ProfileStore) -> Result<Box<dyn SecretStore>> {
        let remembered = store
            .meta(SECRET_STORE_META)?
            .as_deref()
            .and_then(Kind::parse);
        let kind = match self.settings.secret_store {
            Kind::Auto => match remembered {
                Some(Kind::KeyringItems) => Kind::Keyring,
                Some(kind) => kind,
                None => match crate::secrets::keyring_answers() {
                    Ok(()) => Kind::Keyring,
                    Err(e) => {
                        // Said once per database, not on every command until a first
                        // secret is stored and the choice remembered.
                        let words = format!(
                            "{e}; keeping secrets in {} (mode 0600). Set secret_store = \"file\" in the config to silence this",
                            self.settings.secrets_file.display()
                        );
                        if store.meta(FALLBACK_SAID_META)?.is_none() {
                            self.ui.warn(&words);
                            store.set_meta(FALLBACK_SAID_META, "1")?;
                        } else {
                            self.ui.debug(&words);
                        }
                        Kind::File
                    }
                },
            },
            chosen => chosen,
        };
        let s = &self.settings;
        if kind == Kind::KeyringItems {
            if remembered == Some(Kind::Keyring) {
                return Err(Error::failed(format!(
                    "this database's secrets are in {}, sealed with a key in the OS keyring, not in separate keyring items",
                    s.secrets_file.display()
                ))
                .hint("use secret_store = \"keyring\": sbctl moved them there from separate items, and does not move them back"));
            }
            let items = crate::secrets::open_items()?;
            self.ui
                .debug(&format!("secret store: {}", items.location()));
            return Ok(Box::new(items));
        }
        let (chosen, moved) =
            crate::secrets::open(kind, (&s.secrets_file, s.secrets_key.as_ref()))?;
        if let Some(moved) = moved {
            self.ui.notice(&moved);
        }
        if kind == Kind::Keyring {
            match remembered {
                Some(Kind::KeyringItems) => self.move_keyring_items(store, &chosen, false)?,
                Some(Kind::Keyring) if chosen.move_unfinished()? => {
                    self.move_keyring_items(store, &chosen, true)?
                }
                _ => {}
            }
        }
        self.ui
            .debug(&format!("secret store: {}", chosen.location()));
        Ok(Box::new(chosen))
    }

    /// Moves the secrets of this database's profiles and of the providers sbctl knows
    /// from separate keyring items into `into` (`secrets::move_items`), remembering the
    /// new place once they are there; or finishes a move cut off before it removed
    /// the items (`finishing`).
    fn move_keyring_items(
        &self,
        store: &mut dyn ProfileStore,
        into: &crate::secrets::file::FileStore,
        finishing: bool,
    ) -> Result<()> {
        use crate::secrets::{client_key, profile_key};
        let clients: Vec<String> = self
            .settings
            .providers
            .keys()
            .map(|p| client_key(p))
            // This host's identity (`secrets recipient`) goes with them.
            .chain([crate::secrets::host::KEY.to_owned()])
            .collect();
        let mut tokens = Vec::new();
        let mut pages = crate::store::Pages::default();
        while let Some(page) = pages.next(store)? {
            tokens.extend(page.iter().map(|p| profile_key(&p.id)));
        }
        let place = into.path().display();
        let bar = self.ui.progress_growing();
        let mut remember = || store.set_meta(SECRET_STORE_META, Kind::Keyring.as_str());
        let found = crate::secrets::move_items(
            into,
            (&tokens, &clients),
            &mut || remember().map_err(Error::from),
            &|done, total| {
                if let Some(bar) = &bar {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                }
            },
        )?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if finishing {
            self.ui.info(&format!(
                "finished moving the secrets kept in separate OS keyring items into {place}: removed the items left"
            ));
        } else if found > 0 {
            self.ui.info(&format!(
                "moved {} from separate OS keyring items into {place}, sealed with one key kept in the keyring; removed the tokens' items (client secrets stay there too)",
                crate::ui::count(found, "secret", "secrets")
            ));
        } else if tokens.is_empty() {
            store.set_meta(SECRET_STORE_META, Kind::Keyring.as_str())?;
        } else {
            // Another session's keyring, or tokens long gone: nothing is given up on.
            let words = format!(
                "none of the tokens of this database's {} is in this OS keyring's separate items, where sbctl 0.2 kept them; run sbctl where the keyring that holds them is unlocked to move them into {place}, where tokens stored from now on go",
                crate::ui::count(tokens.len(), "profile", "profiles")
            );
            if store.meta(ITEMS_MISSING_SAID_META)?.is_none() {
                self.ui.warn(&words);
                store.set_meta(ITEMS_MISSING_SAID_META, "1")?;
            } else {
                self.ui.debug(&words);
            }
        }
        Ok(())
    }

    /// Remembers which secret store holds this database's secrets at the first write,
    /// so that `auto` keeps looking there; and again when the secrets file changes
    /// hands between `file` and `keyring` (a write with `keyring` seals a plain file
    /// with a key in the keyring, and `auto` must follow). 0.2's keyring items are
    /// forgotten only once moved.
    pub fn remember_secret_store(
        &self,
        store: &mut dyn ProfileStore,
        secrets: &dyn SecretStore,
    ) -> Result<()> {
        let remembered = store.meta(SECRET_STORE_META)?.as_deref().map(Kind::parse);
        let now = secrets.kind();
        let file_kinds = [Kind::File, Kind::Keyring];
        let changed = match remembered {
            None => true,
            Some(Some(was)) => was != now && file_kinds.contains(&was) && file_kinds.contains(&now),
            Some(None) => false,
        };
        if changed {
            store.set_meta(SECRET_STORE_META, now.as_str())?;
        }
        Ok(())
    }

    /// The renewal engine for profiles of `networks`, with each network resolved once
    /// for the run. It takes the command's secret store (`Engine::into_secrets` gives
    /// it back), so that one command opens one.
    pub fn engine(
        &self,
        secrets: Box<dyn SecretStore>,
        networks: &[String],
    ) -> Result<crate::renew::Engine<'_>> {
        // A fault of sbctl's own files (a secrets file others may read, a key that
        // does not open it) is no profile's: it stops the run before any profile is
        // touched, as one error with its fix.
        secrets.probe()?;
        let http = self.http();
        let mut providers = std::collections::BTreeMap::new();
        for name in networks {
            if providers.contains_key(name) {
                continue;
            }
            let access = match self.settings.provider(name) {
                Ok(p) if p.config.client_id.is_none() => Err(crate::renew::Unresolved {
                    passing: false,
                    not_set_up: true,
                    message: format!(
                        "provider {name} has no client_id: set it under [providers.{name}] in {} to renew and check these tokens",
                        self.settings.config_path.display()
                    ),
                }),
                Ok(p) => {
                    self.resolve(p, secrets.as_ref(), &http)
                        .map_err(|e| crate::renew::Unresolved {
                            passing: e.kind == crate::error::ErrorKind::Transient,
                            not_set_up: false,
                            message: e.to_string(),
                        })
                }
                Err(e) => Err(crate::renew::Unresolved {
                    passing: false,
                    not_set_up: false,
                    message: e.message,
                }),
            };
            providers.insert(name.clone(), access);
        }
        let s = &self.settings;
        Ok(crate::renew::Engine::new(crate::renew::Setup {
            refresh_ahead: s.refresh_ahead.as_delta(),
            verify_every: s.verify_every.as_delta(),
            http_timeout: s.http_timeout.as_delta(),
            http,
            secrets,
            providers,
            open_store: Box::new(|| self.store()),
            log: &self.ui,
            clock: self.clock,
        }))
    }

    /// What `renew::under_lease` takes: where to say it waits, the request timeout
    /// that sets the lease's length, and the clock.
    pub fn lease_terms(&self) -> (&Ui, chrono::TimeDelta, crate::renew::Clock) {
        (&self.ui, self.settings.http_timeout.as_delta(), self.clock)
    }

    /// The HTTP client for the networks, with the configured `http_timeout`.
    pub fn http(&self) -> oauth2::reqwest::blocking::Client {
        crate::oauth::http_client(
            self.settings
                .http_timeout
                .as_delta()
                .to_std()
                .unwrap_or_default(),
        )
    }

    /// Who tells of profiles that need someone, with this command's clock.
    pub fn notifier(&self) -> crate::notify::Notifier<'_> {
        crate::notify::Notifier {
            config: &self.settings.notify,
            host: self.settings.user_at_host(),
            now: self.clock.now(),
            http: self.http(),
        }
    }

    pub fn health(&self, profile: &Profile) -> Health {
        profile.status_at(self.now, self.settings.warn_within.as_delta())
    }

    /// A stored profile, or an error naming it with how to find the right id.
    /// A profile that must exist. An id that names none is a usage error (2), as a
    /// malformed id or an unknown network is.
    pub fn require(&self, store: &dyn ProfileStore, id: &ProfileId) -> Result<Profile> {
        store.get(id)?.ok_or_else(|| no_such(id))
    }
}

/// The error for an id that names no profile: a usage error (2).
pub fn no_such(id: &ProfileId) -> Error {
    Error::usage(crate::store::StoreError::NotFound(id.clone()).to_string())
        .hint("run `sbctl profiles list` to see the ids")
}

impl Ctx {}

/// What a set of profiles means for the exit code.
pub fn attention(health: &Health) -> Attention {
    use crate::domain::profile::Status;
    match health.status {
        Status::Ok => Attention::None,
        Status::Expiring => Attention::Expiring,
        Status::RefreshFailed => Attention::Transient,
        Status::ReauthRequired => Attention::Reauth,
    }
}

impl Ctx {
    /// Resolves the settings (the config file is read here) for a command that needs them.
    fn new(global: &GlobalArgs, ui: Ui) -> Result<Ctx> {
        let settings = Settings::resolve(&global.overrides(), &crate::networks::catalog(), &|k| {
            std::env::var(k).ok()
        })?;
        // Read now; no child (the browser, the notify command) inherits them.
        crate::config::scrub_secret_env();
        let clock = crate::clock::Clock::system();
        Ok(Ctx {
            settings,
            ui,
            now: clock.now(),
            clock,
            opened: Default::default(),
        })
    }
}

/// Runs a command. Completions and the manual page need no settings, so a broken
/// config file does not stop them.
pub fn run(cli: Cli, ui: Ui) -> Result<Attention> {
    use clap::CommandFactory;
    let g = &cli.global;
    match cli.command {
        Command::Completions(args) => completions::run(args, Cli::command(), &ui),
        Command::Man(args) => man::run(args, Cli::command(), &ui),
        Command::Profiles(cmd) => profiles::run(cmd, &Ctx::new(g, ui)?),
        Command::Authorize(args) => authorize::run(args, &Ctx::new(g, ui)?),
        Command::Reauth(args) => reauth::run(args, &Ctx::new(g, ui)?),
        Command::Refresh(args) => refresh::run(args, &Ctx::new(g, ui)?),
        Command::Token(args) => token::run(args, &Ctx::new(g, ui)?),
        Command::Check(args) => check::run(args, &Ctx::new(g, ui)?),
        Command::Providers(cmd) => providers::run(cmd, &Ctx::new(g, ui)?),
        Command::Secrets(cmd) => secrets::run(cmd, &Ctx::new(g, ui)?),
        Command::Doctor(args) => doctor::run(args, &Ctx::new(g, ui)?),
        Command::Metrics(args) => metrics::run(args, &Ctx::new(g, ui)?),
        Command::Report(args) => report::run(args, &Ctx::new(g, ui)?),
    }
}
