//! Integration tests: the real `sbctl` binary in a sealed environment.

#[path = "../support/mod.rs"]
mod support;

mod agency;
mod attacks;
mod authorize;
mod browser;
mod check;
mod completions;
mod config;
mod device;
mod documented;
mod doubles;
mod faults;
mod fencing;
mod keyring;
mod labels;
mod metrics;
mod networks;
mod notify;
mod profiles;
mod refresh;
mod report;
mod revocation;
mod scale;
mod secrets;
mod store;
mod transfer;
mod truth;
