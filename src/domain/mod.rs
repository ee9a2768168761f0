//! The pure core: no disk, network, terminal or clock. Time is always passed in.

pub mod duration;
pub mod profile;
pub mod token;
