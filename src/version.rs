//! What this sbctl is: its version and the commit it was built from (`build.rs`).

/// The version and the commit, ", dirty" when its sources had changes: what
/// `--version`, `doctor` and the metrics say.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SBCTL_BUILD_COMMIT"),
    ")"
);
