//! Profiles and their health: `status_at(now)` is a pure function of stored metadata.

use chrono::TimeDelta;
use std::fmt;

pub use super::Timestamp;

/// Longest account id or name kept from a provider, in characters.
pub const MAX_ACCOUNT_CHARS: usize = 256;
/// Longest error text kept from a provider, in characters.
pub const MAX_ERROR_CHARS: usize = 1024;

/// `text` cut to `max` characters, the cut marked with "…": what a provider says is
/// kept and shown within bounds, however much it sends.
pub fn capped(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.chars().nth(max).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    std::borrow::Cow::Owned(kept + "…")
}

/// A profile's tags: `key=value` labels a team sorts its profiles by (`client=acme`).
pub type Tags = std::collections::BTreeMap<String, String>;

/// Longest owner address, in characters.
const MAX_OWNER_CHARS: usize = 254;
/// Longest tag value, in characters.
const MAX_TAG_VALUE_CHARS: usize = 256;

/// Whom to contact about a profile: an e-mail address, as the user gives it (trimmed).
pub fn parse_owner(text: &str) -> Result<String, String> {
    let text = text.trim();
    let valid = text.chars().count() <= MAX_OWNER_CHARS
        && !text
            .chars()
            .any(|c| c.is_whitespace() || super::is_hidden(c))
        && text.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.contains('@')
        });
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "invalid owner `{}`: give an e-mail address, as ops@example.com",
            text.escape_debug()
        ))
    }
}

/// A tag's key: `[a-z0-9][a-z0-9._-]{0,63}`, as a profile id.
pub fn parse_tag_key(text: &str) -> Result<String, String> {
    ProfileId::parse(text).map(|id| id.0).map_err(|_| {
        format!(
            "invalid tag key `{}`: use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
            text.escape_debug()
        )
    })
}

/// A `key=value` tag; the value 1 to 256 characters, none of them a control character.
pub fn parse_tag(text: &str) -> Result<(String, String), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(format!(
            "invalid tag `{}`: write it key=value, as client=acme",
            text.escape_debug()
        ));
    };
    let key = parse_tag_key(key)?;
    let value = parse_tag_value(&key, value)?;
    Ok((key, value))
}

/// A tag's value: 1 to 256 characters, none of them a control character.
pub fn parse_tag_value(key: &str, value: &str) -> Result<String, String> {
    if value.is_empty()
        || value.chars().count() > MAX_TAG_VALUE_CHARS
        || value.chars().any(super::is_hidden)
    {
        return Err(format!(
            "invalid value for tag `{key}`: give 1 to {MAX_TAG_VALUE_CHARS} characters, none of them a control character"
        ));
    }
    Ok(value.to_owned())
}

/// A user-chosen slug: `[a-z0-9][a-z0-9._-]{0,63}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileId(String);

impl ProfileId {
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid = !text.is_empty()
            && text.len() <= 64
            && text.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || (i > 0 && matches!(b, b'.' | b'_' | b'-'))
            });
        if valid {
            Ok(ProfileId(text.to_owned()))
        } else {
            Err(format!(
                "invalid profile id `{}`: use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
                text.escape_debug()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ProfileId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ProfileId::parse(s)
    }
}

/// A profile's status (SPEC "Statuses"); also the values of `profiles list --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Expiring,
    RefreshFailed,
    ReauthRequired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Expiring => "expiring",
            Status::RefreshFailed => "refresh_failed",
            Status::ReauthRequired => "reauth_required",
        }
    }
}

/// Why a profile needs re-authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Expired,
    PasswordChanged,
    Revoked,
    ScopeMissing,
    SecretMissing,
    Invalid,
    NotAuthorized,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::Expired,
        Reason::PasswordChanged,
        Reason::Revoked,
        Reason::ScopeMissing,
        Reason::SecretMissing,
        Reason::Invalid,
        Reason::NotAuthorized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Expired => "expired",
            Reason::PasswordChanged => "password_changed",
            Reason::Revoked => "revoked",
            Reason::ScopeMissing => "scope_missing",
            Reason::SecretMissing => "secret_missing",
            Reason::Invalid => "invalid",
            Reason::NotAuthorized => "not_authorized",
        }
    }

    /// Words for people: "password changed".
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Expired => "expired",
            Reason::PasswordChanged => "password changed",
            Reason::Revoked => "access revoked",
            Reason::ScopeMissing => "permissions missing",
            Reason::SecretMissing => "token missing from the secret store",
            Reason::Invalid => "token rejected",
            Reason::NotAuthorized => "never authorized",
        }
    }

    pub fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What the profile store keeps about a profile. Never a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: ProfileId,
    pub network: String,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub scopes: Vec<String>,
    /// When the access token expires; `None` when it does not or is not known yet.
    pub expires_at: Option<Timestamp>,
    /// The network said the access token never expires (a Facebook Page token); with
    /// no `expires_at` and without this, its expiry is unknown.
    pub expires_never: bool,
    /// When the current access token was issued (for the "half its lifetime" rule).
    pub issued_at: Option<Timestamp>,
    /// The refresh token's own deadline, which renewing may not move.
    pub refresh_expires_at: Option<Timestamp>,
    /// Facebook's data-access deadline, a second limit beside the token's.
    pub data_access_expires_at: Option<Timestamp>,
    /// Whether sbctl can renew the token without the user (a refresh token, or the
    /// network's own renewal of the access token).
    pub renewable: bool,
    /// Whether it works, keeps failing to renew, or needs a person; changed only by
    /// the transitions below.
    pub standing: Standing,
    /// What the provider (or sbctl) last said went wrong, cleared when it works again.
    pub last_error: Option<String>,
    pub last_refreshed_at: Option<Timestamp>,
    pub last_checked_at: Option<Timestamp>,
    pub connected_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set while a renewal request is with the provider; still set after a process
    /// was killed mid-request, when the refresh token may have been used up.
    pub renewal_started_at: Option<Timestamp>,
    /// The generation of the stored tokens, a new one each time new ones are stored: a
    /// renewal stores its result only over the generation it started from. Drawn at
    /// random, so that a profile removed and added again never repeats one.
    pub token_version: u64,
    /// The network's user through whom the account is reached (the Facebook user who
    /// manages the Page), where the network says: a sign-in of that user renews every
    /// profile of theirs.
    pub login_id: Option<String>,
    /// When someone last signed in for it (not changed by renewals).
    pub connected_at: Option<Timestamp>,
    /// Whom to contact about it (an e-mail address), when someone said.
    pub owner: Option<String>,
    pub tags: Tags,
}

/// Where a profile stands in its lifecycle, as the last renewal, check or sign-in left
/// it. One value, so that no two marks can contradict each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Nothing is known to be wrong.
    Usable,
    /// Renewals failed for a passing reason (or sbctl's configuration) `failures` times
    /// in a row, the first at `since`; they are retried, and the token may still work.
    /// `config`: the last one failed for the provider's configuration, which trying
    /// again cannot fix.
    RefreshFailed {
        failures: u32,
        since: Timestamp,
        config: Option<Misconfig>,
    },
    /// Only a person can help. `from_check`: an online check of the token said so, not
    /// a refused renewal, and the next online check looks again (see `recheckable`).
    NeedsReauth { reason: Reason, from_check: bool },
}

/// Which part of a provider's configuration failed a renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misconfig {
    /// The provider refused the client id or secret (`invalid_client`).
    Credentials,
    /// The provider could not be set up: no client_id, discovery refused, a bad URL.
    Settings,
}

impl Misconfig {
    pub fn as_str(self) -> &'static str {
        match self {
            Misconfig::Credentials => "credentials",
            Misconfig::Settings => "settings",
        }
    }

    pub fn parse(text: &str) -> Option<Misconfig> {
        [Misconfig::Credentials, Misconfig::Settings]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// A generation of tokens: random, kept positive for SQLite's signed integers.
fn new_generation() -> u64 {
    rand::random::<u64>() >> 1
}

/// A profile's health at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    pub status: Status,
    pub reason: Option<Reason>,
    /// The moment the profile stops working unless someone acts, when there is one.
    pub deadline: Option<Timestamp>,
}

impl Health {
    /// The command that fixes profile `p` in this state, if one is needed: a new
    /// sign-in, the provider's configuration, or a renewal tried again.
    pub fn fix(&self, p: &Profile) -> Option<String> {
        let (id, network) = (&p.id, &p.network);
        match (self.status, p.standing) {
            (Status::ReauthRequired | Status::Expiring, _) => Some(format!("sbctl reauth {id}")),
            (
                Status::RefreshFailed,
                Standing::RefreshFailed {
                    config: Some(Misconfig::Credentials),
                    ..
                },
            ) => Some(format!("sbctl providers set-secret {network}")),
            (
                Status::RefreshFailed,
                Standing::RefreshFailed {
                    config: Some(Misconfig::Settings),
                    ..
                },
            ) => Some("sbctl doctor".into()),
            (Status::RefreshFailed, _) => Some(format!("sbctl refresh {id}")),
            (Status::Ok, _) => None,
        }
    }
}

impl Profile {
    /// A fresh profile with nothing but its identity, as `add` starts one.
    pub fn new(id: ProfileId, network: String, now: Timestamp) -> Self {
        Profile {
            id,
            network,
            account_id: None,
            account_name: None,
            scopes: Vec::new(),
            expires_at: None,
            expires_never: false,
            issued_at: None,
            refresh_expires_at: None,
            data_access_expires_at: None,
            renewable: false,
            standing: Standing::Usable,
            last_error: None,
            last_refreshed_at: None,
            last_checked_at: None,
            connected_by: None,
            created_at: now,
            updated_at: now,
            renewal_started_at: None,
            token_version: new_generation(),
            login_id: None,
            connected_at: None,
            owner: None,
            tags: Tags::new(),
        }
    }

    /// New tokens are stored for it: a new generation (`token_version`).
    pub fn tokens_replaced(&mut self) {
        self.token_version = new_generation();
    }

    /// Why a person must act, when one must.
    pub fn reauth_reason(&self) -> Option<Reason> {
        match self.standing {
            Standing::NeedsReauth { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Renewals that failed in a row since the last success.
    pub fn renewal_failures(&self) -> u32 {
        match self.standing {
            Standing::RefreshFailed { failures, .. } => failures,
            _ => 0,
        }
    }

    /// A renewal failed for a passing reason (or sbctl's configuration): retried, and
    /// counted until one succeeds.
    /// A person's mark stays: a failure says nothing new about it.
    pub fn renewal_failed(&mut self, error: String, now: Timestamp) {
        self.standing = match self.standing {
            Standing::Usable => Standing::RefreshFailed {
                failures: 1,
                since: now,
                config: None,
            },
            Standing::RefreshFailed {
                failures, since, ..
            } => Standing::RefreshFailed {
                failures: failures.saturating_add(1),
                since,
                config: None,
            },
            marked @ Standing::NeedsReauth { .. } => marked,
        };
        self.last_error = Some(error);
        self.updated_at = now;
    }

    /// A renewal failed for the provider's configuration: counted as any failure, and
    /// its fix is the configuration's.
    pub fn renewal_misconfigured(&mut self, what: Misconfig, error: String, now: Timestamp) {
        self.renewal_failed(error, now);
        if let Standing::RefreshFailed { config, .. } = &mut self.standing {
            *config = Some(what);
        }
    }

    /// Marks the profile as needing a person, for a reason other than an online check
    /// (a refused renewal, a missing secret, a short grant).
    pub fn needs_reauth(&mut self, reason: Reason) {
        self.standing = Standing::NeedsReauth {
            reason,
            from_check: false,
        };
    }

    /// A renewal was refused: a person must sign in again, for `reason` (a vague
    /// `invalid` does not replace the `expired` a passed deadline tells). The reason
    /// recorded.
    pub fn renewal_refused(&mut self, reason: Reason, error: String, now: Timestamp) -> Reason {
        let reason = self.settled(reason, now);
        self.needs_reauth(reason);
        self.last_error = Some(error);
        self.updated_at = now;
        reason
    }

    /// Whether its token is in the secret store, as a check found: a token gone missing
    /// marks the profile `secret_missing`, and one that came back (a restored keyring)
    /// clears that mark. Whether the profile changed.
    pub fn secret_found(&mut self, present: bool, now: Timestamp) -> bool {
        let marked = self.reauth_reason() == Some(Reason::SecretMissing);
        if present != marked {
            return false;
        }
        self.standing = Standing::Usable;
        if !present {
            self.needs_reauth(Reason::SecretMissing);
        }
        self.updated_at = now;
        true
    }

    /// An online check confirmed that the token no longer works.
    pub fn failed_check(&mut self, reason: Reason, error: String, now: Timestamp) {
        self.standing = Standing::NeedsReauth {
            reason,
            from_check: true,
        };
        self.last_error = Some(error);
        self.last_checked_at = Some(now);
        self.updated_at = now;
    }

    /// An online check found the token working: a mark that an earlier check set is
    /// cleared (a mark from a refused renewal never is; `recheckable` says which).
    pub fn passed_check(&mut self, now: Timestamp) {
        if self.recheckable() {
            self.standing = Standing::Usable;
            self.last_error = None;
        }
        self.last_checked_at = Some(now);
        self.updated_at = now;
    }

    /// Whether the next online check may look at this profile again although it is
    /// marked: only when the mark came from a check, and no renewal was cut off (a
    /// rotated refresh token may then be gone, whatever the provider says of the
    /// access token).
    pub fn recheckable(&self) -> bool {
        matches!(
            self.standing,
            Standing::NeedsReauth {
                from_check: true,
                ..
            }
        ) && self.renewal_started_at.is_none()
    }

    /// Records what a token response says; returns the required scopes the grant lacks
    /// (the profile is then `reauth_required` / `scope_missing`). When the response does
    /// not say which scopes were granted, they are taken as the ones asked for.
    pub fn apply_grant(
        &mut self,
        grant: &super::token::Grant,
        required: Option<&[String]>,
        now: Timestamp,
    ) -> Vec<String> {
        self.expires_at = grant.expires_at;
        self.expires_never = grant.expires_never;
        self.refresh_expires_at = grant.refresh_expires_at;
        self.issued_at = Some(now);
        self.updated_at = now;
        self.renewable = grant.tokens.refresh_token.is_some();
        let mut missing = Vec::new();
        if let Some(granted) = &grant.scopes {
            self.scopes = granted.clone();
            missing = required
                .unwrap_or_default()
                .iter()
                .filter(|s| !granted.contains(s))
                .cloned()
                .collect();
        }
        if !missing.is_empty() {
            self.needs_reauth(Reason::ScopeMissing);
        } else if self.reauth_reason().is_some() {
            self.standing = Standing::Usable;
        }
        missing
    }

    /// Whether the refresh token's stored deadline has passed: renewing cannot work.
    pub fn refresh_expired(&self, now: Timestamp) -> bool {
        self.refresh_expires_at.is_some_and(|t| t <= now)
    }

    /// The reason to record for a provider's verdict: a vague `invalid` does not
    /// replace the `expired` that a passed stored deadline already tells.
    pub fn settled(&self, reason: Reason, now: Timestamp) -> Reason {
        let past_deadline = self.deadline(now).is_some_and(|d| d <= now);
        match reason {
            Reason::Invalid if past_deadline => Reason::Expired,
            other => other,
        }
    }

    /// A renewal gave `grant`: the new deadlines (a refresh deadline the answer does
    /// not repeat stays), and everything a failed or cut-off renewal left is cleared.
    pub fn renewed(&mut self, grant: &super::token::Grant, now: Timestamp) {
        self.expires_at = grant.expires_at;
        self.expires_never = grant.expires_never;
        if grant.refresh_expires_at.is_some() {
            self.refresh_expires_at = grant.refresh_expires_at;
        }
        if let Some(scopes) = &grant.scopes {
            self.scopes = scopes.clone();
        }
        self.issued_at = Some(now);
        self.last_refreshed_at = Some(now);
        self.tokens_replaced();
        self.standing = Standing::Usable;
        self.last_error = None;
        self.renewal_started_at = None;
        self.updated_at = now;
    }

    /// A person signed in again (`by`, as `user@host`): the new grant, applied by
    /// `apply_grant`, replaces whatever a failed or interrupted renewal left (a scope
    /// it lacks stays marked).
    pub fn reconnected(&mut self, by: String, now: Timestamp) {
        if let Standing::RefreshFailed { .. } = self.standing {
            self.standing = Standing::Usable;
        }
        self.renewal_started_at = None;
        self.last_error = None;
        self.last_refreshed_at = Some(now);
        self.connected_by = Some(by);
        self.connected_at = Some(now);
        self.tokens_replaced();
    }

    /// Whether renewals have failed long enough (or often enough) that a person should
    /// look, though the token still works: `after` since the first failure, or three
    /// runs in a row.
    pub fn renewal_failing(&self, after: TimeDelta, now: Timestamp) -> bool {
        match self.standing {
            Standing::RefreshFailed {
                failures, since, ..
            } => failures >= 3 || now - since >= after,
            _ => false,
        }
    }

    /// The moment the profile becomes unusable without the user, if any: the access
    /// token's expiry when nothing can renew it, the refresh token's deadline when
    /// something can, and Facebook's data-access deadline in any case.
    pub fn deadline(&self, now: Timestamp) -> Option<Timestamp> {
        let refresh_alive = self.renewable && self.refresh_expires_at.is_none_or(|t| t > now);
        let token_deadline = if refresh_alive {
            // Renewing keeps it alive until the refresh token itself dies; the access
            // token may outlive that moment, so the later of the two counts.
            self.refresh_expires_at
                .map(|r| self.expires_at.map_or(r, |a| a.max(r)))
        } else {
            self.expires_at
        };
        match (token_deadline, self.data_access_expires_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The SPEC status table as a function of the stored metadata and `now`.
    pub fn status_at(&self, now: Timestamp, warn_within: TimeDelta) -> Health {
        // A person must act now: the deadline is now (or the past one that made it
        // so), never "none", which is a token that renews itself.
        if let Some(reason) = self.reauth_reason() {
            return Health {
                status: Status::ReauthRequired,
                reason: Some(reason),
                deadline: Some(self.deadline(now).filter(|d| *d <= now).unwrap_or(now)),
            };
        }
        let deadline = self.deadline(now);
        if deadline.is_some_and(|d| d <= now) {
            return Health {
                status: Status::ReauthRequired,
                reason: Some(Reason::Expired),
                deadline,
            };
        }
        let status = if let Standing::RefreshFailed { .. } = self.standing {
            Status::RefreshFailed
        } else if deadline.is_some_and(|d| d - now <= warn_within) {
            Status::Expiring
        } else {
            Status::Ok
        };
        Health {
            status,
            reason: None,
            deadline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn days(n: i64) -> TimeDelta {
        TimeDelta::days(n)
    }

    fn secs(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    #[test]
    fn owners_and_tags_are_checked() {
        assert_eq!(parse_owner(" ops@example.com ").unwrap(), "ops@example.com");
        for bad in [
            "",
            "ops",
            "@example.com",
            "ops@localhost",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(parse_owner(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_tag("client=Acme Corp").unwrap(),
            ("client".to_owned(), "Acme Corp".to_owned())
        );
        assert_eq!(parse_tag("tier=a=b").unwrap().1, "a=b");
        for bad in [
            "client",
            "=acme",
            "Client=acme",
            "client=",
            "client=a\nb",
            "-x=1",
            "k=a\u{202E}b",
        ] {
            assert!(parse_tag(bad).is_err(), "{bad}");
        }
        assert!(parse_tag(&format!("k={}", "v".repeat(257))).is_err());
    }

    fn profile() -> Profile {
        Profile::new(
            ProfileId::parse("acme-fb").unwrap(),
            "facebook".into(),
            t0() - days(30),
        )
    }

    fn status(p: &Profile, now: Timestamp) -> (Status, Option<Reason>) {
        let h = p.status_at(now, days(7));
        (h.status, h.reason)
    }

    #[test]
    fn ids_follow_the_slug_rule() {
        for ok in ["a", "acme-fb", "0", "a.b_c-d", &"x".repeat(64)] {
            assert!(ProfileId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            ".a",
            "_a",
            "Acme",
            "a b",
            "a/b",
            "é",
            &"x".repeat(65),
            "a\n",
        ] {
            assert!(ProfileId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn no_expiry_is_ok_forever() {
        let p = profile();
        assert_eq!(status(&p, t0()), (Status::Ok, None));
        assert_eq!(status(&p, t0() + days(10_000)), (Status::Ok, None));
    }

    #[test]
    fn unrenewable_token_warns_inside_the_window_only() {
        let mut p = profile();
        p.expires_at = Some(t0() + days(7));
        assert_eq!(status(&p, t0() - secs(1)), (Status::Ok, None));
        assert_eq!(status(&p, t0()), (Status::Expiring, None));
        assert_eq!(
            p.status_at(t0(), days(7)).deadline,
            Some(t0() + days(7)),
            "the deadline is the expiry"
        );
    }

    #[test]
    fn expiry_instant_is_expired() {
        let mut p = profile();
        p.expires_at = Some(t0());
        assert_eq!(status(&p, t0() - secs(1)), (Status::Expiring, None));
        assert_eq!(
            status(&p, t0()),
            (Status::ReauthRequired, Some(Reason::Expired))
        );
    }

    #[test]
    fn renewable_token_is_ok_even_after_its_access_token_expired() {
        let mut p = profile();
        p.renewable = true;
        p.expires_at = Some(t0() - days(1));
        assert_eq!(status(&p, t0()), (Status::Ok, None));
    }

    #[test]
    fn refresh_token_deadline_is_a_hard_deadline() {
        let mut p = profile();
        p.renewable = true;
        p.expires_at = Some(t0() + days(1));
        p.refresh_expires_at = Some(t0() + days(7));
        assert_eq!(status(&p, t0() - secs(1)), (Status::Ok, None));
        assert_eq!(status(&p, t0()), (Status::Expiring, None));
        // Once the refresh token is dead, the access token's expiry is what is left.
        p.refresh_expires_at = Some(t0());
        assert_eq!(status(&p, t0()), (Status::Expiring, None));
        assert_eq!(p.status_at(t0(), days(7)).deadline, Some(t0() + days(1)));
        assert_eq!(
            status(&p, t0() + days(1)),
            (Status::ReauthRequired, Some(Reason::Expired))
        );
    }

    #[test]
    fn access_token_outliving_its_refresh_token_counts() {
        let mut p = profile();
        p.renewable = true;
        p.expires_at = Some(t0() + days(30));
        p.refresh_expires_at = Some(t0() + days(2));
        assert_eq!(status(&p, t0()), (Status::Ok, None));
        assert_eq!(p.deadline(t0()), Some(t0() + days(30)));
    }

    #[test]
    fn data_access_deadline_applies_even_without_token_expiry() {
        let mut p = profile();
        p.data_access_expires_at = Some(t0() + days(7));
        assert_eq!(status(&p, t0() - secs(1)), (Status::Ok, None));
        assert_eq!(status(&p, t0()), (Status::Expiring, None));
        assert_eq!(
            status(&p, t0() + days(7)),
            (Status::ReauthRequired, Some(Reason::Expired))
        );
        // The earlier of two deadlines wins.
        p.expires_at = Some(t0() + days(3));
        assert_eq!(p.deadline(t0()), Some(t0() + days(3)));
    }

    #[test]
    fn a_persons_mark_outlasts_failed_renewals_and_a_renewal_clears_failures() {
        let mut p = profile();
        p.expires_at = Some(t0() + days(60));
        p.renewal_failed("503".into(), t0());
        p.renewal_failed("503".into(), t0() + days(1));
        assert_eq!(
            p.standing,
            Standing::RefreshFailed {
                failures: 2,
                since: t0(),
                config: None,
            }
        );
        assert!(!p.renewal_failing(days(2), t0() + days(1)));
        assert!(p.renewal_failing(days(1), t0() + days(1)), "failing a day");
        let recorded = p.renewal_refused(Reason::PasswordChanged, "190/460".into(), t0());
        assert_eq!(recorded, Reason::PasswordChanged);
        p.renewal_failed("503".into(), t0());
        assert_eq!(
            status(&p, t0()),
            (Status::ReauthRequired, Some(Reason::PasswordChanged))
        );
        p.apply_grant(
            &super::super::token::grant_from_json(
                &serde_json::json!({"access_token": "a", "expires_in": 3600}),
                t0(),
            )
            .unwrap(),
            None,
            t0(),
        );
        p.reconnected("ann@host".into(), t0());
        assert_eq!(p.standing, Standing::Usable);
        assert_eq!(p.last_error, None);
    }

    #[test]
    fn refresh_failed_while_still_usable() {
        let mut p = profile();
        p.renewable = true;
        p.expires_at = Some(t0() + days(1));
        p.renewal_failed("503".into(), t0());
        assert_eq!(status(&p, t0()), (Status::RefreshFailed, None));
        // ...but an expired token without a way to renew it is simply expired.
        p.renewable = false;
        assert_eq!(
            status(&p, t0() + days(2)),
            (Status::ReauthRequired, Some(Reason::Expired))
        );
    }

    #[test]
    fn a_grant_records_deadlines_and_missing_scopes() {
        use crate::domain::token::grant_from_json;
        let mut p = profile();
        let grant = grant_from_json(
            &serde_json::json!({"access_token": "a", "refresh_token": "r", "expires_in": 3600, "scope": "read"}),
            t0(),
        )
        .unwrap();
        let required = ["read".to_owned(), "write".to_owned()];
        assert_eq!(p.apply_grant(&grant, Some(&required), t0()), ["write"]);
        assert_eq!(p.reauth_reason(), Some(Reason::ScopeMissing));
        assert_eq!(p.expires_at, Some(t0() + TimeDelta::hours(1)));
        assert!(p.renewable);
        assert!(p.apply_grant(&grant, Some(&required[..1]), t0()).is_empty());
        assert_eq!(p.reauth_reason(), None, "a full grant clears the mark");
    }

    #[test]
    fn only_a_mark_from_a_check_is_looked_at_again() {
        let mut p = profile();
        p.failed_check(Reason::Revoked, "inactive".into(), t0());
        assert!(p.recheckable());
        assert_eq!(status(&p, t0()).0, Status::ReauthRequired);
        p.passed_check(t0() + secs(60));
        assert_eq!(status(&p, t0()), (Status::Ok, None));
        assert_eq!(p.last_checked_at, Some(t0() + secs(60)));
        assert_eq!(p.last_error, None);

        // A refused renewal is final until a person signs in again.
        p.needs_reauth(Reason::Invalid);
        assert!(!p.recheckable());
        p.passed_check(t0());
        assert_eq!(p.reauth_reason(), Some(Reason::Invalid));

        // So is a check's mark once a renewal was cut off: a rotated refresh token
        // may be gone whatever the access token says.
        p.failed_check(Reason::Revoked, "inactive".into(), t0());
        p.renewal_started_at = Some(t0());
        assert!(!p.recheckable());
        p.passed_check(t0());
        assert_eq!(p.reauth_reason(), Some(Reason::Revoked));
    }

    #[test]
    fn provider_text_is_capped() {
        assert_eq!(capped("abc", 3), "abc");
        assert_eq!(capped("abcd", 3), "ab…");
        assert_eq!(capped("ééééé", 4), "ééé…");
        assert_eq!(capped(&"x".repeat(10_000), 256).chars().count(), 256);
        assert_eq!(capped("", 3), "");
    }

    #[test]
    fn each_status_names_its_fix() {
        let mut p = profile();
        let fix = |status, p: &Profile| {
            Health {
                status,
                reason: None,
                deadline: None,
            }
            .fix(p)
        };
        assert_eq!(
            fix(Status::ReauthRequired, &p).as_deref(),
            Some("sbctl reauth acme-fb")
        );
        assert_eq!(
            fix(Status::Expiring, &p).as_deref(),
            Some("sbctl reauth acme-fb")
        );
        assert_eq!(fix(Status::Ok, &p), None);
        p.renewal_failed("503".into(), t0());
        assert_eq!(
            fix(Status::RefreshFailed, &p).as_deref(),
            Some("sbctl refresh acme-fb")
        );
        // What trying again cannot fix names the configuration.
        p.renewal_misconfigured(Misconfig::Credentials, "invalid_client".into(), t0());
        assert_eq!(
            fix(Status::RefreshFailed, &p).as_deref(),
            Some("sbctl providers set-secret facebook")
        );
        p.renewal_misconfigured(Misconfig::Settings, "no client_id".into(), t0());
        assert_eq!(
            fix(Status::RefreshFailed, &p).as_deref(),
            Some("sbctl doctor")
        );
        // A passing failure after them is a passing failure again.
        p.renewal_failed("503".into(), t0());
        assert_eq!(
            fix(Status::RefreshFailed, &p).as_deref(),
            Some("sbctl refresh acme-fb")
        );
        assert_eq!(p.renewal_failures(), 4);
    }

    #[test]
    fn names_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("fine"), None);
    }

    #[test]
    fn a_missing_token_is_marked_and_a_restored_one_clears_the_mark() {
        let mut p = Profile::new(ProfileId::parse("p").unwrap(), "x".into(), t0());
        assert!(
            !p.secret_found(true, t0()),
            "present and unmarked: unchanged"
        );
        assert!(p.secret_found(false, t0()));
        assert_eq!(p.reauth_reason(), Some(Reason::SecretMissing));
        assert!(!p.secret_found(false, t0()), "marked already");
        assert!(p.secret_found(true, t0()));
        assert_eq!(p.reauth_reason(), None);
        // Another mark is left alone: the token is there, the grant is not.
        p.needs_reauth(Reason::Revoked);
        assert!(!p.secret_found(true, t0()));
        assert!(p.secret_found(false, t0()));
        assert_eq!(p.reauth_reason(), Some(Reason::SecretMissing));
    }
}
