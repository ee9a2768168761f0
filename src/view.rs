//! How a profile looks: status words, relative times, table cells and the JSON object.
//! Commands print through it and notify builds its events from it, so a profile reads
//! the same everywhere.

use crate::domain::profile::{Health, Profile, Timestamp};
use crate::ui::Tone;
use serde_json::Value;

/// The text people see for a status, e.g. "Expiring in 3d" (SPEC "shown as").
pub fn status_words(h: &Health, now: Timestamp) -> (String, Tone) {
    let mut text = String::new();
    let tone = write_status(&mut text, h, now);
    (text, tone)
}

/// `status_words` written at the end of `out`, for a table of 100,000 rows.
pub fn write_status(out: &mut String, h: &Health, now: Timestamp) -> Tone {
    use crate::domain::profile::Status;
    match h.status {
        Status::Ok => {
            out.push_str("OK");
            Tone::Good
        }
        Status::Expiring => {
            out.push_str("Expiring ");
            match h.deadline {
                Some(d) => write_relative(out, d, now),
                None => out.push_str("soon"),
            }
            Tone::Warn
        }
        Status::RefreshFailed => {
            out.push_str("Refresh failed");
            Tone::Warn
        }
        Status::ReauthRequired => {
            out.push_str("Reauth required: ");
            out.push_str(h.reason.map_or("unknown", |r| r.describe()));
            Tone::Bad
        }
    }
}

/// `in 12d`, `3d ago`, `in 45s`: the largest whole unit, as `kubectl` shows ages.
pub fn relative(t: Timestamp, now: Timestamp) -> String {
    let mut text = String::new();
    write_relative(&mut text, t, now);
    text
}

/// `relative` written at the end of `out`.
pub fn write_relative(out: &mut String, t: Timestamp, now: Timestamp) {
    use std::fmt::Write;
    let secs = (t - now).num_seconds();
    let size = secs.unsigned_abs();
    if size == 0 {
        out.push_str("now");
        return;
    }
    let (amount, unit) = match size {
        0..=119 => (size, 's'),
        120..=7199 => (size / 60, 'm'),
        7200..=172_799 => (size / 3600, 'h'),
        _ => (size / 86_400, 'd'),
    };
    let _ = if secs >= 0 {
        write!(out, "in {amount}{unit}")
    } else {
        write!(out, "{amount}{unit} ago")
    };
}

/// A time as RFC 3339 UTC (`2026-11-28T12:00:00Z`), built on the stack: a list of
/// 100,000 profiles formats 700,000 of them.
fn rfc3339_bytes(t: Timestamp) -> [u8; 20] {
    use chrono::{Datelike, Timelike};
    let mut out = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for k in (0..width).rev() {
            out[at + k] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, t.year().clamp(0, 9999) as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    out
}

fn time<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => {
            let bytes = rfc3339_bytes(*t);
            s.serialize_str(std::str::from_utf8(&bytes).expect("ASCII digits"))
        }
        None => s.serialize_none(),
    }
}

/// The JSON object of a profile (SPEC `profiles list --json` fields, and a few more),
/// serialized straight from the profile: a list of 100,000 builds no JSON tree.
#[derive(serde::Serialize)]
pub struct ProfileView<'a> {
    id: &'a str,
    network: &'a str,
    account_name: Option<&'a str>,
    account_id: Option<&'a str>,
    status: &'static str,
    reason: Option<&'static str>,
    #[serde(serialize_with = "time")]
    expires_at: Option<Timestamp>,
    #[serde(serialize_with = "time")]
    refresh_expires_at: Option<Timestamp>,
    #[serde(serialize_with = "time")]
    data_access_expires_at: Option<Timestamp>,
    #[serde(serialize_with = "time")]
    deadline: Option<Timestamp>,
    renewable: bool,
    #[serde(serialize_with = "time")]
    last_refreshed_at: Option<Timestamp>,
    #[serde(serialize_with = "time")]
    last_checked_at: Option<Timestamp>,
    connected_by: Option<&'a str>,
    login_id: Option<&'a str>,
    owner: Option<&'a str>,
    tags: &'a crate::domain::profile::Tags,
    scopes: &'a [String],
    last_error: Option<&'a str>,
    #[serde(serialize_with = "time")]
    created_at: Option<Timestamp>,
    #[serde(serialize_with = "time")]
    updated_at: Option<Timestamp>,
}

pub fn profile_view<'a>(p: &'a Profile, h: &Health) -> ProfileView<'a> {
    ProfileView {
        id: p.id.as_str(),
        network: &p.network,
        account_name: p.account_name.as_deref(),
        account_id: p.account_id.as_deref(),
        status: h.status.as_str(),
        reason: h.reason.map(|r| r.as_str()),
        expires_at: p.expires_at,
        refresh_expires_at: p.refresh_expires_at,
        data_access_expires_at: p.data_access_expires_at,
        deadline: h.deadline,
        renewable: p.renewable,
        last_refreshed_at: p.last_refreshed_at,
        last_checked_at: p.last_checked_at,
        connected_by: p.connected_by.as_deref(),
        login_id: p.login_id.as_deref(),
        owner: p.owner.as_deref(),
        tags: &p.tags,
        scopes: &p.scopes,
        last_error: p.last_error.as_deref(),
        created_at: Some(p.created_at),
        updated_at: Some(p.updated_at),
    }
}

/// The same as a JSON value, for the few places that add to it or print one.
pub fn profile_json(p: &Profile, h: &Health) -> Value {
    serde_json::to_value(profile_view(p, h)).expect("a profile serializes")
}

/// When the access token expires, as EXPIRES says it: `in 12d`, `3d ago`, `never`
/// (the network said so), or `unknown` (nobody said).
pub fn expiry(p: &Profile, now: Timestamp) -> String {
    let mut out = String::new();
    write_expiry(&mut out, p, now);
    out
}

fn write_expiry(out: &mut String, p: &Profile, now: Timestamp) {
    match p.expires_at {
        Some(t) => write_relative(out, t, now),
        None if p.expires_never => out.push_str("never"),
        None => out.push_str("unknown"),
    }
}

fn write_relative_or_never(out: &mut String, t: Option<Timestamp>, now: Timestamp) {
    match t {
        Some(t) => write_relative(out, t, now),
        None => out.push_str("never"),
    }
}

/// A column of `profiles list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Column {
    Id,
    Network,
    Account,
    Status,
    /// When a person must act: nothing automatic can move it
    Deadline,
    /// The access token's expiry (renewed automatically where it can be)
    Expires,
    LastRefresh,
}

impl Column {
    /// SPEC's columns, with DEADLINE beside EXPIRES.
    pub const DEFAULT: [Column; 7] = [
        Column::Id,
        Column::Network,
        Column::Account,
        Column::Status,
        Column::Deadline,
        Column::Expires,
        Column::LastRefresh,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Column::Id => "ID",
            Column::Network => "NETWORK",
            Column::Account => "ACCOUNT",
            Column::Status => "STATUS",
            Column::Deadline => "DEADLINE",
            Column::Expires => "EXPIRES",
            Column::LastRefresh => "LAST REFRESH",
        }
    }

    /// The column's cell for a profile, written at the end of `out` (a table of
    /// 100,000 rows makes no string per cell); its tone.
    pub fn write(self, out: &mut String, p: &Profile, h: &Health, now: Timestamp) -> Tone {
        match self {
            Column::Id => out.push_str(p.id.as_str()),
            Column::Network => out.push_str(&p.network),
            Column::Account => out.push_str(
                p.account_name
                    .as_deref()
                    .or(p.account_id.as_deref())
                    .unwrap_or("-"),
            ),
            Column::Status => return write_status(out, h, now),
            Column::Deadline => write_deadline(out, h, now),
            Column::Expires => write_expiry(out, p, now),
            Column::LastRefresh => write_relative_or_never(out, p.last_refreshed_at, now),
        }
        Tone::Plain
    }
}

/// When a person must act: `now` when they already must, `in 58d`, or `none`.
pub fn deadline_words(h: &Health, now: Timestamp) -> String {
    let mut text = String::new();
    write_deadline(&mut text, h, now);
    text
}

fn write_deadline(out: &mut String, h: &Health, now: Timestamp) {
    match (h.status, h.deadline) {
        (crate::domain::profile::Status::ReauthRequired, _) => out.push_str("now"),
        (_, Some(d)) => write_relative(out, d, now),
        (_, None) => out.push_str("none"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone, Utc};

    #[test]
    fn relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let at = |s: i64| relative(now + TimeDelta::seconds(s), now);
        assert_eq!(at(45), "in 45s");
        assert_eq!(at(0), "now");
        assert_eq!(at(-120), "2m ago");
        assert_eq!(at(5 * 3600), "in 5h");
        assert_eq!(at(12 * 86_400 + 3600), "in 12d");
        assert_eq!(at(-3 * 86_400), "3d ago");
    }

    #[test]
    fn times_are_rfc3339_utc() {
        let t = Utc.with_ymd_and_hms(2026, 3, 7, 5, 4, 9).unwrap();
        assert_eq!(&rfc3339_bytes(t), b"2026-03-07T05:04:09Z");
        assert_eq!(
            std::str::from_utf8(&rfc3339_bytes(t)).unwrap(),
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
}
