//! Flags, environment and `config.toml` resolved into one plain `Settings` value before
//! any command runs (flag > environment > config file > default).

use crate::domain::duration::Duration;
use crate::domain::token::Secret;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a client authenticates at the token endpoint: a protocol matter, so it lives
/// with the protocol; the settings name it.
pub use crate::oauth::http::ClientAuth;

/// Which token `check --online` shows to the introspection endpoint (RFC 7662).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Introspect {
    /// The refresh token, with `active: false` only believed once the access token,
    /// userinfo or a renewal confirms it (RFC 7662 §2.2 lets a server say `false` of
    /// any token it does not introspect).
    #[default]
    Auto,
    /// The access token only, while it is valid.
    Access,
    /// The refresh token, and its `active: false` is believed.
    Refresh,
    /// Never: userinfo, or a renewal.
    Off,
}

/// What revoking one token ends at a provider: RFC 7009 §2.1 leaves it to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Only that token and the sign-in that issued it: a re-authorization revokes the
    /// tokens it replaces, so no grant of an earlier sign-in stays live.
    Token,
    /// Every grant the account gave the app: revoking the replaced tokens would end
    /// the new sign-in too, so nothing is revoked on re-authorization.
    Account,
    /// Not known: nothing is revoked on re-authorization, and `remove --revoke` says
    /// grants of earlier sign-ins may stay live.
    Unknown,
}

/// One `[providers.NAME]` section.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub client_id: Option<String>,
    pub client_auth: Option<ClientAuth>,
    pub scopes: Option<Vec<String>>,
    pub redirect_port: Option<u16>,
    pub redirect_path: Option<String>,
    pub issuer: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub api_base: Option<String>,
    pub revocation_url: Option<String>,
    pub introspection_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// RFC 8628's device authorization endpoint, for `--device` (else from discovery).
    pub device_authorization_url: Option<String>,
    pub introspect: Option<Introspect>,
    pub revocation: Option<Reach>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_authorize_params: BTreeMap<String, String>,
    /// Instagram only: `instagram` (Instagram Login) or `facebook` (through a Page).
    pub login: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    pub command: Option<String>,
    pub webhook: Option<String>,
    pub repeat: Option<Duration>,
    /// One event per run listing every profile that is news (default), or one per
    /// profile (`false`).
    pub digest: Option<bool>,
    /// Stages before a deadline at which a profile is reminded once each (e.g. 14d,
    /// 7d, 1d), in place of the single `expiring` notice.
    pub reminders: Option<Vec<Duration>>,
    /// How long renewals may keep failing before `renewal_failing` is sent (24h).
    pub escalate_after: Option<Duration>,
    /// The events to send (default: all but `recovered`).
    pub events: Option<Vec<NotifyEvent>>,
}

/// The kinds of notification events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyEvent {
    ProfileNeedsAttention,
    Reminder,
    RenewalFailing,
    Recovered,
}

impl NotifyEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyEvent::ProfileNeedsAttention => "profile_needs_attention",
            NotifyEvent::Reminder => "reminder",
            NotifyEvent::RenewalFailing => "renewal_failing",
            NotifyEvent::Recovered => "recovered",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    secret_store: Option<crate::secrets::Kind>,
    refresh_ahead: Option<Duration>,
    warn_within: Option<Duration>,
    verify_every: Option<Duration>,
    #[serde(default, deserialize_with = "http_timeout")]
    http_timeout: Option<Duration>,
    secrets_key_file: Option<PathBuf>,
    #[serde(default, deserialize_with = "concurrency")]
    concurrency: Option<u32>,
    #[serde(default)]
    providers: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    notify: NotifyConfig,
}

/// A provider as sbctl will use it: built-in or from config, with its client secret from
/// the environment when one is set there.
#[derive(Debug, Clone)]
pub struct Provider {
    pub name: String,
    pub built_in: bool,
    pub config: ProviderConfig,
    /// `SBCTL_CLIENT_SECRET_<NAME>`, when set.
    pub env_secret: Option<Secret>,
}

impl Provider {
    pub fn env_var(name: &str) -> String {
        format!(
            "SBCTL_CLIENT_SECRET_{}",
            name.to_ascii_uppercase().replace('-', "_")
        )
    }
}

/// What the command line settles before the config file is read (clap has merged
/// each flag with its environment variable).
#[derive(Debug, Default)]
pub struct Overrides {
    pub db: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub secret_store: Option<crate::secrets::Kind>,
}

/// What the settings must know of the built-in networks, told by `networks` so that
/// settings stay data: their names, and which take a `login` setting.
pub struct Catalog {
    pub built_in: Vec<&'static str>,
    pub with_login: Vec<&'static str>,
}

#[derive(Debug)]
pub struct Settings {
    pub db_path: PathBuf,
    pub config_path: PathBuf,
    pub config_found: bool,
    pub secrets_file: PathBuf,
    /// The age key that encrypts the secrets file, if one is set.
    pub secrets_key: Option<crate::secrets::KeySource>,
    pub secret_store: crate::secrets::Kind,
    pub refresh_ahead: Duration,
    pub warn_within: Duration,
    pub verify_every: Duration,
    /// How long one request to a network may take, connection included.
    pub http_timeout: Duration,
    pub concurrency: u32,
    pub providers: BTreeMap<String, Provider>,
    pub notify: NotifyConfig,
    /// Who runs sbctl, as `user@host`: recorded as a profile's `connected_by`; found
    /// when first asked (the OS user database is not read on the hot path of `token`).
    user_at_host: Who,
    /// `$BROWSER`: the command that opens the authorize URL.
    pub browser: Option<String>,
}

impl Settings {
    /// Resolves everything from the flags (which clap already merged with their
    /// environment variables), the process environment and the config file.
    pub fn resolve(
        args: &Overrides,
        catalog: &Catalog,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings> {
        let dirs = directories::BaseDirs::new();
        let under = |base: Option<&Path>, file: &str, var: &str| -> Result<PathBuf> {
            base.map(|b| b.join("sbctl").join(file)).ok_or_else(|| {
                Error::failed(format!(
                    "cannot tell where to keep {file}: no home directory"
                ))
                .hint(format!("set {var}"))
            })
        };
        let data_dir = dirs.as_ref().map(|d| d.data_dir());
        let (config_path, explicit_config) = match &args.config {
            Some(p) => (p.clone(), true),
            None => (
                under(
                    dirs.as_ref().map(|d| d.config_dir()),
                    "config.toml",
                    "SBCTL_CONFIG",
                )?,
                false,
            ),
        };
        let (mut file, config_found) = load_file(&config_path, explicit_config)?;
        let db_path = match &args.db {
            Some(p) => p.clone(),
            None => under(data_dir, "sbctl.db", "SBCTL_DB")?,
        };
        // The key itself in the environment (a systemd credential, a CI secret) wins over
        // a key file named in the environment, which wins over the config.
        let secrets_key = match (
            env("SBCTL_SECRETS_KEY").filter(|v| !v.is_empty()),
            env("SBCTL_SECRETS_KEY_FILE").filter(|v| !v.is_empty()),
        ) {
            (Some(text), _) => Some(crate::secrets::KeySource::Text(Secret::new(text))),
            (None, Some(path)) => Some(crate::secrets::KeySource::File(PathBuf::from(path))),
            (None, None) => file
                .secrets_key_file
                .clone()
                .map(crate::secrets::KeySource::File),
        };
        // A `.json` path is the file of older versions: the store is beside it, and
        // moves its secrets in.
        let secrets_file = match env("SBCTL_SECRETS_FILE").filter(|v| !v.is_empty()) {
            Some(p) if p.ends_with(".json") => PathBuf::from(p).with_extension("db"),
            Some(p) => PathBuf::from(p),
            None => under(data_dir, "secrets.db", "SBCTL_SECRETS_FILE")?,
        };

        let configured = std::mem::take(&mut file.providers);
        let providers = providers(configured, catalog, &config_path, env)?;

        let (concurrency, http_timeout) = (
            file.concurrency.unwrap_or(8),
            file.http_timeout.unwrap_or(Duration::seconds(30)),
        );
        Ok(Settings {
            db_path,
            config_path,
            config_found,
            secrets_file,
            secrets_key,
            secret_store: args
                .secret_store
                .or(file.secret_store)
                .unwrap_or(crate::secrets::Kind::Auto),
            refresh_ahead: file.refresh_ahead.unwrap_or(Duration::seconds(7 * 86_400)),
            warn_within: file.warn_within.unwrap_or(Duration::seconds(7 * 86_400)),
            verify_every: file.verify_every.unwrap_or(Duration::seconds(86_400)),
            http_timeout,
            concurrency,
            providers,
            notify: file.notify,
            user_at_host: Who {
                user: env("USER").or_else(|| env("LOGNAME")),
                host: env("HOSTNAME"),
                found: std::sync::OnceLock::new(),
            },
            browser: env("BROWSER").filter(|b| !b.trim().is_empty()),
        })
    }

    /// The provider called `name`, or an error that lists the known ones.
    pub fn provider(&self, name: &str) -> Result<&Provider> {
        self.providers.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
            Error::usage(format!(
                "unknown network `{}`: known are {}",
                name.escape_debug(),
                known.join(", ")
            ))
            .hint(format!(
                "add a [providers.{}] section to {} for another OAuth provider",
                name.escape_debug(),
                self.config_path.display()
            ))
        })
    }
}

/// The environment variables that hold secrets or point at them: read into `Settings`,
/// then removed from the process so that no child process inherits them.
pub fn scrub_secret_env() {
    let secret = |k: &str| {
        k.starts_with("SBCTL_CLIENT_SECRET_")
            || k == "SBCTL_SECRETS_KEY"
            || k == "SBCTL_SECRETS_KEY_FILE"
    };
    let names: Vec<_> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| secret(k))
        .collect();
    for name in names {
        // Called once at start, before sbctl starts any thread.
        std::env::remove_var(name);
    }
}

/// Who runs sbctl, as read from the environment at start, resolved on first use.
#[derive(Debug)]
struct Who {
    user: Option<String>,
    host: Option<String>,
    found: std::sync::OnceLock<String>,
}

impl Settings {
    /// `$USER` (or `$LOGNAME`), else the OS user database's name for this process's
    /// user (cron and systemd often set neither), then the host: who connected a profile.
    pub fn user_at_host(&self) -> &str {
        let who = &self.user_at_host;
        who.found.get_or_init(|| {
            let user = who
                .user
                .clone()
                .filter(|u| !u.is_empty())
                .or_else(|| whoami::fallible::username().ok())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "unknown".into());
            let host = who
                .host
                .as_deref()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(crate::perms::hostname);
            format!("{user}@{host}")
        })
    }
}

/// `concurrency`, within its bounds: checked as the file is read, so that the error
/// names its line.
fn concurrency<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<u32>, D::Error> {
    let n = u32::deserialize(d)?;
    if !(1..=256).contains(&n) {
        return Err(serde::de::Error::custom(format!(
            "concurrency must be between 1 and 256, not {n}"
        )));
    }
    Ok(Some(n))
}

/// `http_timeout`, within its bounds (see `concurrency`).
fn http_timeout<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Duration>, D::Error> {
    let t = Duration::deserialize(d)?;
    if !(1..=300).contains(&t.as_delta().num_seconds()) {
        return Err(serde::de::Error::custom(format!(
            "http_timeout must be between 1s and 5m, not {t}"
        )));
    }
    Ok(Some(t))
}

/// The providers: the built-in networks, each replaced by its `[providers.NAME]`
/// section when there is one, and the config's own, with their secrets from the
/// environment.
fn providers(
    configured: BTreeMap<String, ProviderConfig>,
    catalog: &Catalog,
    config_path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, Provider>> {
    let providers: BTreeMap<String, Provider> = catalog
        .built_in
        .iter()
        .map(|name| (name.to_string(), ProviderConfig::default()))
        // A [providers.NAME] section replaces the built-in defaults of that name.
        .chain(configured)
        .map(|(name, config)| {
            let built_in = catalog.built_in.contains(&name.as_str());
            let env_secret = env(&Provider::env_var(&name))
                .filter(|v| !v.is_empty())
                .map(Secret::new);
            (
                name.clone(),
                Provider {
                    name,
                    built_in,
                    config,
                    env_secret,
                },
            )
        })
        .collect();
    for (name, p) in &providers {
        check_provider_name(name, config_path)?;
        if p.config.login.is_some() && !catalog.with_login.contains(&name.as_str()) {
            return Err(Error::failed(format!(
                "[providers.{name}] in {}: `login` is a setting of {} only",
                config_path.display(),
                catalog.with_login.join(" and ")
            ))
            .hint(format!("remove `login` from [providers.{name}]")));
        }
        if let Some(path) = &p.config.redirect_path {
            if !path.starts_with('/') {
                return Err(Error::failed(format!(
                    "config {}: providers.{name}.redirect_path must start with '/'",
                    config_path.display()
                )));
            }
        }
    }
    Ok(providers)
}

fn check_provider_name(name: &str, config_path: &Path) -> Result<()> {
    let ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::failed(format!(
            "config {}: provider name `{}` must be 1 to 64 of a-z, 0-9, '-', '_'",
            config_path.display(),
            name.escape_debug()
        )))
    }
}

fn load_file(path: &Path, explicit: bool) -> Result<(ConfigFile, bool)> {
    let cannot_read = |e: std::io::Error| {
        Error::failed(format!(
            "cannot read config {}: {}",
            path.display(),
            crate::error::io_reason(&e)
        ))
    };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok((ConfigFile::default(), false))
        }
        Err(e) => return Err(cannot_read(e)),
    };
    check_trusted(path, &file.metadata().map_err(cannot_read)?)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).map_err(cannot_read)?;
    let parsed: ConfigFile = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let message = e
            .message()
            .trim()
            .replace("unknown field", "unknown key")
            .replace("missing field", "missing key");
        Error::failed(match line {
            Some(l) => format!("config {}:{l}: {message}", path.display()),
            None => format!("config {}: {message}", path.display()),
        })
    })?;
    Ok((parsed, true))
}

/// The config names commands sbctl runs (`notify.command`) and where tokens go: like
/// ssh's StrictModes, it is read only when no other user could have changed it (the
/// file and its directory belong to this user or root, and others cannot write to
/// them).
fn check_trusted(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use crate::perms::Exposure;
    let shown = path.display();
    let (problem, fix) = match crate::perms::loose_file(meta) {
        Some(p @ Exposure::Writable(_)) => (p, format!("run `chmod go-w {shown}`")),
        Some(p @ Exposure::Owner(_)) => (
            p,
            format!("check what it says, then make it yours (`cp {shown} {shown}.mine && mv {shown}.mine {shown}`)"),
        ),
        None => match crate::perms::open_dir(path, true) {
            None => return Ok(()),
            Some(problem) => {
                return Err(Error::failed(format!(
                    "config {shown} is in a directory {problem}: they could replace it, and it names the command sbctl runs"
                ))
                .hint(crate::perms::open_dir_hint(path, problem, "--config / SBCTL_CONFIG")))
            }
        },
    };
    Err(Error::failed(format!(
        "config {shown} is a file {problem}: they could change it, and it names the command sbctl runs"
    ))
    .hint(fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> std::result::Result<(ConfigFile, bool), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        load_file(&path, true).map_err(|e| e.to_string())
    }

    #[test]
    fn the_spec_example_parses() {
        let (cfg, found) = load(
            r#"
secret_store = "auto"
refresh_ahead = "7d"
warn_within = "7d"
verify_every = "24h"
concurrency = 8

[providers.facebook]
client_id = "1234567890"
redirect_port = 8765
scopes = ["pages_show_list", "pages_manage_posts"]

[providers.corp]
issuer = "https://login.example.com"
client_id = "sbctl"
client_auth = "basic"
scopes = ["openid", "offline_access"]
extra_authorize_params = { prompt = "consent" }
redirect_port = 0
redirect_path = "/callback"

[notify]
command = "mail -s 'sbctl: action required' ops@example.com"
webhook = "https://hooks.example.com/sbctl"
repeat = "24h"
"#,
        )
        .unwrap();
        assert!(found);
        assert_eq!(cfg.refresh_ahead, Some(Duration::seconds(7 * 86_400)));
        assert_eq!(cfg.providers["corp"].client_auth, Some(ClientAuth::Basic));
        assert_eq!(cfg.providers["facebook"].redirect_port, Some(8765));
        assert_eq!(cfg.notify.repeat, Some(Duration::seconds(86_400)));
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let err =
            load("concurrency = 8\n\n[providers.x]\nclient_id = \"a\"\nclient_secret = \"no\"\n")
                .unwrap_err();
        assert!(
            err.contains("config.toml:5: unknown key `client_secret`"),
            "{err}"
        );
        let err = load("refresh_ahed = \"7d\"\n").unwrap_err();
        assert!(err.contains(":1: unknown key `refresh_ahed`"), "{err}");
    }

    #[test]
    fn bad_durations_and_types_are_located() {
        let err = load("\nwarn_within = \"7 days\"\n").unwrap_err();
        assert!(err.contains(":2: invalid duration `7 days`"), "{err}");
        let err = load("concurrency = \"eight\"\n").unwrap_err();
        assert!(err.contains(":1:"), "{err}");
        let err = load("[providers.corp]\nclient_auth = \"jwt\"\n").unwrap_err();
        assert!(err.contains(":2:"), "{err}");
    }

    #[test]
    fn env_var_names_for_client_secrets() {
        assert_eq!(
            Provider::env_var("corp-sso"),
            "SBCTL_CLIENT_SECRET_CORP_SSO"
        );
        assert_eq!(Provider::env_var("x"), "SBCTL_CLIENT_SECRET_X");
    }

    mod properties {
        use super::load;
        use proptest::prelude::*;

        fn line() -> impl Strategy<Value = String> {
            let key = prop::sample::select(vec![
                "secret_store",
                "refresh_ahead",
                "warn_within",
                "verify_every",
                "concurrency",
                "http_timeout",
                "client_id",
                "scopes",
                "redirect_port",
                "login",
                "repeat",
                "nope",
            ]);
            let value = prop::sample::select(vec![
                "\"auto\"", "\"7d\"", "\"90x\"", "8", "-1", "70000", "[\"a\"]", "\"é\"", "{",
                "true", "\"\"",
            ]);
            let header = prop::sample::select(vec![
                "[providers.x]",
                "[providers.corp]",
                "[notify]",
                "[nope]",
                "[providers.\"a b\"]",
            ]);
            prop_oneof![
                (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
                header.prop_map(str::to_owned),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1500))]
            /// Any config text is read or refused with the file's name, never a panic.
            #[test]
            fn config_files_are_read_or_refused_by_name(lines in prop::collection::vec(line(), 0..12)) {
                if let Err(e) = load(&lines.join("\n")) {
                    prop_assert!(e.contains("config.toml"), "{}", e);
                }
            }

            #[test]
            fn any_text_is_read_or_refused(text in "\\PC{0,200}") {
                let _ = load(&text);
            }
        }
    }
}
