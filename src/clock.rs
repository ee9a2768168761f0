//! Where sbctl reads the time: one clock, held by the command's context and handed to
//! the engine, the leases and the notifications.

use crate::domain::profile::Timestamp;
use chrono::TimeDelta;

/// The wall clock, which a debug build run by the tests may move: with
/// `SBCTL_TEST_CLOCK_OFFSET=<seconds>` it reads that much later (or earlier), so that a
/// test can play a process that lives after another's lease ran out. Tests only: a
/// release build reads the wall clock as it is.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: TimeDelta,
}

impl Clock {
    pub fn system() -> Clock {
        #[cfg(debug_assertions)]
        let offset = std::env::var("SBCTL_TEST_CLOCK_OFFSET")
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .map_or(TimeDelta::zero(), TimeDelta::seconds);
        #[cfg(not(debug_assertions))]
        let offset = TimeDelta::zero();
        Clock { offset }
    }

    /// A clock that reads `offset` from the wall clock, for the engine's unit tests.
    #[cfg(test)]
    pub fn offset_by(offset: TimeDelta) -> Clock {
        Clock { offset }
    }

    pub fn now(&self) -> Timestamp {
        chrono::Utc::now() + self.offset
    }
}
