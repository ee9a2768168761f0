//! The profile store: where profiles and their token metadata live (never a secret).
//! `ProfileStore` is the interface; `open` picks the backend from the store's address:
//! a file path is the local SQLite database (`sqlite`); a `postgresql://` address will
//! be the team store, which this build does not have yet.

pub mod sqlite;

use crate::domain::profile::{Profile, ProfileId, Status, Tags, Timestamp};
use std::path::{Path, PathBuf};

/// Where the profiles are kept, from `--db` / `SBCTL_DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A database file on this machine (SQLite).
    File(PathBuf),
    /// A PostgreSQL server shared by a team; the address may hold a password, so it is
    /// never printed whole.
    Postgres(String),
}

impl Location {
    pub fn of(setting: &Path) -> Location {
        match setting.to_str() {
            Some(a) if a.starts_with("postgresql://") || a.starts_with("postgres://") => {
                Location::Postgres(a.to_owned())
            }
            _ => Location::File(setting.to_owned()),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            // Host and database, never the user's password.
            Location::Postgres(address) => {
                let rest = address.split_once("://").map_or("", |(_, r)| r);
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                write!(
                    f,
                    "postgresql://…@{}",
                    host.split('?').next().unwrap_or(host)
                )
            }
        }
    }
}

/// An opened store, and the files whose loose modes opening repaired (with the mode
/// they had), for the caller to say.
pub struct Opened {
    pub store: Box<dyn ProfileStore>,
    pub repaired: Vec<(PathBuf, u32)>,
}

/// Opens the store at `location`: the one place a backend is chosen.
pub fn open(location: &Location) -> Result<Opened, StoreError> {
    match location {
        Location::File(path) => {
            let mut store = sqlite::SqliteStore::open(path)?;
            let repaired = std::mem::take(&mut store.repaired);
            Ok(Opened {
                store: Box::new(store),
                repaired,
            })
        }
        Location::Postgres(_) => Err(StoreError::NotBuilt),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("database {path} is damaged or not an SQLite file ({reason})")]
    Corrupt { path: PathBuf, reason: String },
    #[error("database {path} is an SQLite file but not an sbctl database")]
    Foreign { path: PathBuf },
    #[error("database {path} was written by a newer sbctl (schema {found}; this sbctl knows up to {known})")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("profile `{0}` already exists")]
    Duplicate(ProfileId),
    #[error("no profile `{0}`")]
    NotFound(ProfileId),
    #[error("profile `{0}` is being renewed right now")]
    Renewing(ProfileId),
    #[error("database {path}: {reason}")]
    Sql { path: PathBuf, reason: String },
    #[error("database {path} is in a directory {problem}: they could replace it")]
    OpenDir {
        path: PathBuf,
        problem: crate::perms::Exposure,
    },
    #[error("{path} belongs to another user, or is a symbolic link: sbctl writes its database only to files of its own")]
    NotOurs { path: PathBuf },
    #[error("cannot write database {path}: the disk is full")]
    DiskFull { path: PathBuf },
    #[error("a postgresql:// database address names the team store, which this sbctl is not built with yet")]
    NotBuilt,
}

impl crate::error::Explained for StoreError {
    fn hint(&self) -> Option<String> {
        match self {
            StoreError::Corrupt { .. } => Some(
                "the file was left untouched: restore it from a backup or point --db / SBCTL_DB elsewhere"
                    .into(),
            ),
            StoreError::Foreign { .. } => {
                Some("the file was left untouched: point --db / SBCTL_DB at an sbctl database".into())
            }
            StoreError::TooNew { .. } => Some("upgrade sbctl to use this database".into()),
            StoreError::DiskFull { .. } => Some(crate::perms::DISK_FULL_HINT.into()),
            StoreError::Duplicate(id) => Some(format!(
                "choose another id, or run `sbctl profiles remove {id}` first"
            )),
            StoreError::NotFound(_) => Some("run `sbctl profiles list` to see the ids".into()),
            StoreError::Renewing(_) => {
                Some("run it again when that renewal has ended (in a few minutes at most)".into())
            }
            StoreError::NotBuilt => {
                Some("point --db / SBCTL_DB at a database file on this machine".into())
            }
            StoreError::OpenDir { path, problem } => Some(crate::perms::open_dir_hint(
                path,
                *problem,
                "--db / SBCTL_DB",
            )),
            StoreError::NotOurs { path } => Some(format!(
                "remove {} if you do not know it; then run the command again",
                path.display()
            )),
            _ => None,
        }
    }
}

/// Filters `list` applies in storage, and the order it reads in; status filters need
/// the clock and live in commands.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub network: Option<String>,
    /// Only profiles of this owner.
    pub owner: Option<String>,
    /// Only profiles with every one of these tags.
    pub tags: Tags,
    pub order: Order,
    /// Only ids after this one (with `Order::Id`): the next page.
    pub after: Option<ProfileId>,
    /// At most this many.
    pub limit: Option<u32>,
}

impl ListFilter {
    /// A page of `limit` profiles in id order, after `after`.
    pub fn page(after: Option<ProfileId>, limit: u32) -> ListFilter {
        ListFilter {
            after,
            limit: Some(limit),
            ..Default::default()
        }
    }
}

/// The whole store a page at a time, in id order: between pages the caller may write
/// (a page is read, then handed over), and a fleet of any size costs one page.
#[derive(Default)]
pub struct Pages {
    after: Option<ProfileId>,
    done: bool,
}

/// Profiles a page holds.
pub const PAGE: u32 = 1000;

impl Pages {
    /// The next page; `None` once the last (a short one) was handed over.
    pub fn next(&mut self, store: &dyn ProfileStore) -> Result<Option<Vec<Profile>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let mut page = Vec::with_capacity(PAGE as usize);
        store.each(&ListFilter::page(self.after.take(), PAGE), &mut |p| {
            page.push(p)
        })?;
        self.done = page.len() < PAGE as usize;
        self.after = page.last().map(|p| p.id.clone());
        Ok(Some(page))
    }
}

/// The order `each` hands profiles over in; ties by id.
#[derive(Clone, Default)]
pub enum Order {
    #[default]
    Id,
    Network,
    /// By a number computed from each profile (how urgent it is, its deadline): the
    /// store sorts as it reads, without the fleet in memory.
    Key(std::sync::Arc<dyn Fn(&Profile) -> i64 + Send + Sync>),
}

impl std::fmt::Debug for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Order::Id => "Id",
            Order::Network => "Network",
            Order::Key(_) => "Key",
        })
    }
}

/// What a notification was about, as the store remembers it for a profile and channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The profile's status (`expiring`, `reauth_required`).
    Status(Status),
    /// Renewals kept failing while the token still works.
    RenewalFailing,
    /// The deadline came within this reminder stage, in seconds.
    Reminder(i64),
}

impl Notice {
    /// The `notifications.status` column's value.
    pub fn key(self) -> String {
        match self {
            Notice::Status(s) => s.as_str().to_owned(),
            Notice::RenewalFailing => "renewal_failing".to_owned(),
            Notice::Reminder(secs) => format!("reminder:{secs}"),
        }
    }
}

/// Where a notification went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Command,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Command => "command",
            Channel::Webhook => "webhook",
        }
    }
}

/// Who holds a renewal lease: a process on a machine. Its name is unique (a random
/// part tells two holders of one process apart); the machine and the process are
/// stored beside it, so that a process on the same machine can see that it died.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    nonce: u64,
}

impl Holder {
    /// A new holder for this process.
    pub fn this_process() -> Holder {
        Holder {
            host: crate::perms::hostname(),
            pid: std::process::id(),
            nonce: rand::random(),
        }
    }

    /// The name the lease is held under.
    pub fn name(&self) -> String {
        format!("{}:{}:{:016x}", self.host, self.pid, self.nonce)
    }

    /// The lease's rule for a holder that is gone before its lease runs out: a process
    /// on this machine that no longer exists (killed). Of a holder on another machine, or
    /// without /proc, nothing is known: only the lease's expiry tells. Every backend
    /// takes a lease over on this rule or on expiry, and no other.
    pub fn is_gone(host: Option<&str>, pid: Option<u32>) -> bool {
        let (Some(host), Some(pid)) = (host, pid) else {
            return false;
        };
        host == crate::perms::hostname()
            && Path::new("/proc/self").exists()
            && !Path::new("/proc").join(pid.to_string()).exists()
    }
}

pub trait ProfileStore {
    /// Hands each profile, in the filter's order, to `f` as it is read: a fleet of a
    /// million is never held in memory.
    fn each(&self, filter: &ListFilter, f: &mut dyn FnMut(Profile)) -> Result<(), StoreError>;
    fn get(&self, id: &ProfileId) -> Result<Option<Profile>, StoreError>;
    /// The networks the profiles use.
    fn networks(&self) -> Result<Vec<String>, StoreError>;
    /// Adds all profiles or none (`Duplicate` names the first id already present).
    fn insert(&mut self, profiles: &[Profile]) -> Result<(), StoreError>;
    /// Starts adding profiles all or none, however many (`profiles import`): those
    /// added are kept when the batch is committed, none when it is dropped first.
    /// Other writers wait meanwhile.
    fn adding(&mut self) -> Result<Box<dyn Adding + '_>, StoreError>;
    /// Replaces a stored profile's metadata (`NotFound` if it is gone).
    fn update(&mut self, profile: &Profile) -> Result<(), StoreError>;
    /// Changes a profile's owner and tags with `change`, in one transaction, leaving
    /// the rest as it is: the profile as it is now, or `None` when there is none.
    fn edit_labels(
        &mut self,
        id: &ProfileId,
        change: &mut dyn FnMut(&mut Option<String>, &mut Tags),
    ) -> Result<Option<Profile>, StoreError>;
    /// Removes a profile; `false` if there was none.
    fn delete(&mut self, id: &ProfileId) -> Result<bool, StoreError>;
    /// Takes (or extends) the renewal lease of a profile for `holder` until `until`;
    /// `false` when another holder's lease has not expired. Atomic across processes.
    fn take_lease(
        &mut self,
        id: &ProfileId,
        holder: &Holder,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError>;
    fn release_lease(&mut self, id: &ProfileId, holder: &Holder) -> Result<(), StoreError>;
    /// Whether `holder` still holds `id`'s lease: nobody took it over, whatever the
    /// clocks say (every writer of tokens takes the lease first).
    fn holds_lease(&self, id: &ProfileId, holder: &Holder) -> Result<bool, StoreError>;
    /// When `id` was last notified of `notice` on `channel`.
    fn notified_at(
        &self,
        id: &ProfileId,
        notice: Notice,
        channel: Channel,
    ) -> Result<Option<Timestamp>, StoreError>;
    fn set_notified(
        &mut self,
        id: &ProfileId,
        sent: (Notice, Channel),
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Forgets a profile's notifications (it is fine again: the next problem is news).
    fn clear_notified(&mut self, id: &ProfileId) -> Result<(), StoreError>;
    /// The profiles some channel was told anything about that is not yet forgotten.
    fn notified_profiles(&self) -> Result<std::collections::HashSet<ProfileId>, StoreError>;
    /// Whether `channel` was told anything about `id` that is not yet forgotten.
    fn was_notified(&self, id: &ProfileId, channel: Channel) -> Result<bool, StoreError>;
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Where the store is and its schema version, for `doctor`.
    fn describe(&self) -> StoreInfo;
}

/// Profiles being added all or none (see `ProfileStore::adding`).
pub trait Adding {
    /// `Duplicate` when the id is taken (in the store, or earlier in the batch).
    fn add(&mut self, profile: &Profile) -> Result<(), StoreError>;
    /// Adds the profile, or replaces the one stored under its id (all of it but when
    /// it was created, and its owner and tags where `profile` has none): whether one
    /// was replaced. `Duplicate` when the id came earlier
    /// in the batch, `Renewing` when its renewal lease is held (from before the batch
    /// began: none can be taken during it).
    fn replace(&mut self, profile: &Profile, now: Timestamp) -> Result<bool, StoreError>;
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

#[derive(Debug, Clone)]
pub struct StoreInfo {
    pub location: String,
    pub schema_version: i64,
}
