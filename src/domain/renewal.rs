//! What `refresh` should do with a profile, and how long to wait between attempts.
//! Pure: the clock and the randomness are parameters.

use super::profile::{Profile, Timestamp};
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
    NeedsReauth,
}

/// Settings that decide due-ness.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub refresh_ahead: TimeDelta,
    pub verify_every: TimeDelta,
    pub force: bool,
}

/// A token is due when its remaining life is at most `min(refresh_ahead, lifetime / 2)`
/// (SPEC "Renewal"). A renewal left in flight by a killed process is always retried, so
/// that a used-up refresh token is found and reported.
pub fn plan(p: &Profile, now: Timestamp, policy: &Policy) -> Plan {
    if p.reauth_reason.is_some() {
        return Plan::NeedsReauth;
    }
    // A refresh token past its stored deadline renews nothing: no request is sent.
    let renewable = p.renewable && !p.refresh_expired(now);
    // Retried: a renewal left in flight, and one that failed for a passing reason.
    if renewable && (p.renewal_started_at.is_some() || p.refresh_failed) {
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
    if policy.force {
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
    use crate::domain::profile::{ProfileId, Reason};
    use chrono::{TimeZone, Utc};

    fn t0() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
    }

    fn policy() -> Policy {
        Policy {
            refresh_ahead: TimeDelta::days(7),
            verify_every: TimeDelta::hours(24),
            force: false,
        }
    }

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
        assert_eq!(plan(&p, t0(), &policy()), Plan::Renew);
        let p = renewable(
            TimeDelta::days(60),
            TimeDelta::days(7) + TimeDelta::seconds(1),
        );
        assert_eq!(plan(&p, t0(), &policy()), Plan::NotDue);
    }

    #[test]
    fn short_lived_tokens_are_due_at_half_their_life() {
        let p = renewable(TimeDelta::hours(2), TimeDelta::hours(1));
        assert_eq!(plan(&p, t0(), &policy()), Plan::Renew);
        let p = renewable(
            TimeDelta::hours(2),
            TimeDelta::hours(1) + TimeDelta::seconds(1),
        );
        assert_eq!(plan(&p, t0(), &policy()), Plan::NotDue);
        // Already expired: due, of course.
        let p = renewable(TimeDelta::hours(2), TimeDelta::hours(-5));
        assert_eq!(plan(&p, t0(), &policy()), Plan::Renew);
    }

    #[test]
    fn force_renews_what_can_be_renewed() {
        let p = renewable(TimeDelta::days(60), TimeDelta::days(59));
        let forced = Policy {
            force: true,
            ..policy()
        };
        assert_eq!(plan(&p, t0(), &forced), Plan::Renew);
        let mut fixed = p.clone();
        fixed.renewable = false;
        assert_eq!(plan(&fixed, t0(), &forced), Plan::NotDue);
    }

    #[test]
    fn tokens_without_expiry_are_validated_every_verify_every() {
        let mut p = Profile::new(ProfileId::parse("p").unwrap(), "facebook".into(), t0());
        assert_eq!(plan(&p, t0(), &policy()), Plan::Validate, "never checked");
        p.last_checked_at = Some(t0() - TimeDelta::hours(23));
        assert_eq!(plan(&p, t0(), &policy()), Plan::NotDue);
        p.last_checked_at = Some(t0() - TimeDelta::hours(24));
        assert_eq!(plan(&p, t0(), &policy()), Plan::Validate);
    }

    #[test]
    fn reauth_required_is_left_to_people_and_interrupted_renewals_are_retried() {
        let mut p = renewable(TimeDelta::days(60), TimeDelta::days(50));
        p.renewal_started_at = Some(t0() - TimeDelta::minutes(5));
        assert_eq!(plan(&p, t0(), &policy()), Plan::Renew);
        p.renewal_started_at = None;
        p.refresh_failed = true;
        assert_eq!(
            plan(&p, t0(), &policy()),
            Plan::Renew,
            "a passing failure is retried"
        );
        p.reauth_reason = Some(Reason::Revoked);
        assert_eq!(plan(&p, t0(), &policy()), Plan::NeedsReauth);
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
