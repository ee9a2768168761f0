//! The pure core: no disk, network, terminal or clock. Time is always passed in.

pub mod duration;
pub mod failure;
pub mod profile;
pub mod renewal;
pub mod token;

/// A moment, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
