//! What the renewal engine does with a profile, and how long it waits between
//! attempts. Pure: the clock, the network's capability and the randomness are
//! parameters.
//!
//! A decision has two steps, so that a profile that is not due costs no secret-store
//! read and no network: `plan` looks at the profile alone; for a profile that is due,
//! `decide` adds what the network can do with its tokens.

use super::profile::{Profile, Reason, Standing, Timestamp};
use chrono::TimeDelta;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Renew the token now.
    Renew,
    /// The token has no expiry: ask the provider whether it still works.
    Validate,
    /// Nothing to do yet.
    NotDue,
    /// Only a person can help (`reauth_required`); renewal would not.
    NeedsReauth(Reason),
}

/// What a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Renew what is due (`force`: everything renewable); validate tokens without expiry.
    Refresh { force: bool },
    /// Ask the provider whether each token still works (`check --online`).
    Validate,
}

/// Whether the network can renew a token now, told without asking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    Ready,
    /// Nothing can renew this token; the user must sign in again before it expires.
    Impossible,
    /// The network renews only tokens at least this old (Instagram, Threads: 24 hours).
    NotBefore(Timestamp),
}

/// What the engine does with a profile that `plan` found due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Renew,
    /// Ask the network whether the token works; `unanswered` says what follows when
    /// it can tell neither way.
    Validate {
        unanswered: Unanswered,
    },
    NotDue,
    NeedsReauth(Reason),
    /// A forced renewal the network would refuse: it renews tokens from this time.
    TooYoung(Timestamp),
}

/// What follows an online check that could not tell whether the token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// Say so: the profile stays as it was.
    Report,
    /// Renew: the only check left.
    Renew,
    NotDue,
    TooYoung(Timestamp),
}

/// Settings that decide due-ness.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub refresh_ahead: TimeDelta,
    pub verify_every: TimeDelta,
}

/// The first step, from the profile alone. A token is due when its remaining life is at
/// most `min(refresh_ahead, lifetime / 2)` (SPEC "Renewal"). A renewal left in flight
/// by a killed process is always retried, so that a used-up refresh token is found and
/// reported. An online check looks at every profile but those a refused renewal marked.
pub fn plan(p: &Profile, mode: Mode, now: Timestamp, policy: &Policy) -> Plan {
    let force = match mode {
        Mode::Validate if p.reauth_reason().is_some() && !p.recheckable() => {
            return Plan::NeedsReauth(p.reauth_reason().unwrap_or(Reason::Invalid));
        }
        Mode::Validate => return Plan::Validate,
        Mode::Refresh { force } => force,
    };
    if let Some(reason) = p.reauth_reason() {
        return Plan::NeedsReauth(reason);
    }
    // A refresh token past its stored deadline renews nothing: no request is sent.
    let renewable = p.renewable && !p.refresh_expired(now);
    // Retried: a renewal left in flight, and one that failed for a passing reason.
    let failed = matches!(p.standing, Standing::RefreshFailed { .. });
    if renewable && (p.renewal_started_at.is_some() || failed) {
        return Plan::Renew;
    }
    let stale_check = p
        .last_checked_at
        .is_none_or(|t| now - t >= policy.verify_every);
    if !renewable {
        // Nothing can renew it; a token without expiry is checked now and then.
        return match p.expires_at {
            None if stale_check => Plan::Validate,
            _ => Plan::NotDue,
        };
    }
    if force {
        return Plan::Renew;
    }
    match p.expires_at {
        None if stale_check => Plan::Validate,
        None => Plan::NotDue,
        Some(expires) => {
            let remaining = expires - now;
            let lifetime = p.issued_at.map(|i| expires - i);
            let threshold = match lifetime {
                Some(l) if l > TimeDelta::zero() => policy.refresh_ahead.min(l / 2),
                _ => policy.refresh_ahead,
            };
            if remaining <= threshold {
                Plan::Renew
            } else {
                Plan::NotDue
            }
        }
    }
}

/// The second step, for a profile `plan` found due, with what the network can do:
/// renew, or check online (an access token that has run out says nothing to an
/// identity call, so where `renewing_checks` renewing it is the check).
pub fn decide(
    plan: Plan,
    p: &Profile,
    (capability, renewing_checks): (Capability, bool),
    mode: Mode,
    now: Timestamp,
) -> Action {
    match plan {
        Plan::NotDue => return Action::NotDue,
        Plan::NeedsReauth(reason) => return Action::NeedsReauth(reason),
        Plan::Renew | Plan::Validate => {}
    }
    let expired = p.expires_at.is_some_and(|t| t <= now);
    let renew = plan == Plan::Renew || (expired && p.renewable && renewing_checks);
    // A check that cannot tell is followed by a renewal, when one is possible.
    let unanswered = match capability {
        _ if !(p.renewable && mode == Mode::Validate) => Unanswered::Report,
        Capability::Ready => Unanswered::Renew,
        Capability::Impossible => Unanswered::NotDue,
        Capability::NotBefore(t) => Unanswered::TooYoung(t),
    };
    match (renew, capability, mode) {
        (false, ..) => Action::Validate { unanswered },
        (true, Capability::Ready, _) => Action::Renew,
        // Without a way to renew, a check is all that can be done.
        (true, _, Mode::Validate) => Action::Validate { unanswered },
        (true, Capability::NotBefore(t), Mode::Refresh { force: true }) => Action::TooYoung(t),
        (true, _, Mode::Refresh { .. }) => Action::NotDue,
    }
}

/// Attempts per renewal, and the time all of them may take together.
pub const MAX_ATTEMPTS: u32 = 4;
pub const MAX_RETRY_TIME: Duration = Duration::from_secs(60);

/// The wait before attempt `attempt + 1` (attempt counts from 0): exponential from 1 s,
/// at most 30 s, with full jitter (`jitter` in 0..1), and never shorter than the
/// provider's `Retry-After`.
pub fn backoff(attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let ceiling = Duration::from_secs(1u64 << attempt.min(5)).min(Duration::from_secs(30));
    let jittered = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
    match retry_after {
        Some(r) => r.max(jittered),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::profile::ProfileId;
    use chrono::{TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn policy() -> Policy {
        Policy {
            refresh_ahead: TimeDelta::days(7),
            verify_every: TimeDelta::hours(24),
        }
    }

    const DUE: Mode = Mode::Refresh { force: false };

    fn renewable(lifetime: TimeDelta, remaining: TimeDelta) -> Profile {
        let mut p = Profile::new(ProfileId::parse("p").unwrap(), "corp".into(), t0());
        p.renewable = true;
        p.expires_at = Some(t0() + remaining);
        p.issued_at = Some(t0() + remaining - lifetime);
        p
    }

    #[test]
    fn long_lived_tokens_are_due_refresh_ahead_before_expiry() {
        let p = renewable(TimeDelta::days(60), TimeDelta::days(7));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::Renew);
        let p = renewable(
            TimeDelta::days(60),
            TimeDelta::days(7) + TimeDelta::seconds(1),
        );
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::NotDue);
    }

    #[test]
    fn short_lived_tokens_are_due_at_half_their_life() {
        let p = renewable(TimeDelta::hours(2), TimeDelta::hours(1));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::Renew);
        let p = renewable(
            TimeDelta::hours(2),
            TimeDelta::hours(1) + TimeDelta::seconds(1),
        );
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::NotDue);
        // Already expired: due, of course.
        let p = renewable(TimeDelta::hours(2), TimeDelta::hours(-5));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::Renew);
    }

    #[test]
    fn force_renews_what_can_be_renewed() {
        let p = renewable(TimeDelta::days(60), TimeDelta::days(59));
        let forced = Mode::Refresh { force: true };
        assert_eq!(plan(&p, forced, t0(), &policy()), Plan::Renew);
        let mut fixed = p.clone();
        fixed.renewable = false;
        assert_eq!(plan(&fixed, forced, t0(), &policy()), Plan::NotDue);
    }

    #[test]
    fn tokens_without_expiry_are_validated_every_verify_every() {
        let mut p = Profile::new(ProfileId::parse("p").unwrap(), "facebook".into(), t0());
        assert_eq!(
            plan(&p, DUE, t0(), &policy()),
            Plan::Validate,
            "never checked"
        );
        p.last_checked_at = Some(t0() - TimeDelta::hours(23));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::NotDue);
        p.last_checked_at = Some(t0() - TimeDelta::hours(24));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::Validate);
    }

    #[test]
    fn reauth_required_is_left_to_people_and_interrupted_renewals_are_retried() {
        let mut p = renewable(TimeDelta::days(60), TimeDelta::days(50));
        p.renewal_started_at = Some(t0() - TimeDelta::minutes(5));
        assert_eq!(plan(&p, DUE, t0(), &policy()), Plan::Renew);
        p.renewal_started_at = None;
        p.renewal_failed("503".into(), t0());
        assert_eq!(
            plan(&p, DUE, t0(), &policy()),
            Plan::Renew,
            "a passing failure is retried"
        );
        p.needs_reauth(Reason::Revoked);
        assert_eq!(
            plan(&p, DUE, t0(), &policy()),
            Plan::NeedsReauth(Reason::Revoked)
        );
    }

    #[test]
    fn an_online_check_skips_only_what_a_refused_renewal_marked() {
        let mut p = renewable(TimeDelta::days(60), TimeDelta::days(50));
        let check = |p: &Profile| plan(p, Mode::Validate, t0(), &policy());
        assert_eq!(check(&p), Plan::Validate, "not due, checked all the same");
        p.failed_check(Reason::Revoked, "revoked".into(), t0());
        assert_eq!(check(&p), Plan::Validate, "a check's mark is checked again");
        p.needs_reauth(Reason::Revoked);
        assert_eq!(check(&p), Plan::NeedsReauth(Reason::Revoked));
    }

    #[test]
    fn what_is_due_is_renewed_where_the_network_can() {
        let p = renewable(TimeDelta::days(60), TimeDelta::days(1));
        let young = Capability::NotBefore(t0() + TimeDelta::hours(3));
        let at = |cap, mode| decide(Plan::Renew, &p, (cap, true), mode, t0());
        assert_eq!(at(Capability::Ready, DUE), Action::Renew);
        assert_eq!(at(Capability::Impossible, DUE), Action::NotDue);
        assert_eq!(at(young, DUE), Action::NotDue);
        let forced = Mode::Refresh { force: true };
        assert_eq!(
            at(young, forced),
            Action::TooYoung(t0() + TimeDelta::hours(3))
        );
        // An online check of a token that cannot be renewed is a check.
        assert_eq!(
            at(Capability::Impossible, Mode::Validate),
            Action::Validate {
                unanswered: Unanswered::NotDue
            }
        );
    }

    #[test]
    fn an_expired_token_is_checked_by_renewing_it_where_that_is_the_check() {
        let p = renewable(TimeDelta::hours(2), TimeDelta::hours(-1));
        let check = |renewing_checks| {
            decide(
                Plan::Validate,
                &p,
                (Capability::Ready, renewing_checks),
                Mode::Validate,
                t0(),
            )
        };
        assert_eq!(check(true), Action::Renew);
        // A provider that introspects is asked, and renewed when it cannot tell.
        assert_eq!(
            check(false),
            Action::Validate {
                unanswered: Unanswered::Renew
            }
        );
        let mut fixed = p.clone();
        fixed.renewable = false;
        assert_eq!(
            decide(
                Plan::Validate,
                &fixed,
                (Capability::Impossible, true),
                Mode::Validate,
                t0()
            ),
            Action::Validate {
                unanswered: Unanswered::Report
            }
        );
    }

    #[test]
    fn backoff_is_bounded_jittered_and_honours_retry_after() {
        for attempt in 0..10 {
            let max = backoff(attempt, None, 1.0);
            assert!(max <= Duration::from_secs(30), "{attempt}: {max:?}");
            assert_eq!(backoff(attempt, None, 0.0), Duration::ZERO);
            assert!(backoff(attempt, None, 0.5) <= max);
        }
        assert_eq!(backoff(0, None, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(3, None, 1.0), Duration::from_secs(8));
        assert_eq!(
            backoff(0, Some(Duration::from_secs(5)), 1.0),
            Duration::from_secs(5)
        );
        assert_eq!(
            backoff(4, Some(Duration::from_secs(2)), 1.0),
            Duration::from_secs(16)
        );
        let total: Duration = (0..MAX_ATTEMPTS - 1).map(|a| backoff(a, None, 1.0)).sum();
        assert!(total < MAX_RETRY_TIME);
    }
}
