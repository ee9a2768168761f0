//! sbctl: keep social-media profiles connected. Parse, run, map the outcome to an exit
//! code; this is the only place the process exits.

// The privacy of sbctl's files rests on Unix file modes, owners and locks: a build
// elsewhere would half-work, so it stops here (README "Where sbctl runs").
#[cfg(not(unix))]
compile_error!(
    "sbctl supports Linux, macOS and the BSDs only: it relies on Unix file modes, owners and locks to keep secrets private; Windows is not supported"
);

mod child;
mod cli;
mod clock;
mod commands;
mod config;
mod connect;
mod domain;
mod error;
mod interrupt;
mod networks;
mod notify;
mod oauth;
mod perms;
mod renew;
mod secrets;
mod spool;
mod sqlite;
mod store;
mod ui;
mod version;
mod view;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Before any secret is read: a crash or SIGQUIT must not leave one in a core file.
    perms::forbid_core_dumps();
    // An empty variable means "not set", as shells use it (`SBCTL_DB= sbctl ...`); clap
    // would take it for an empty value. Still single-threaded here, so this is sound.
    for var in ["SBCTL_DB", "SBCTL_CONFIG", "SBCTL_SECRET_STORE"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(var);
        }
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else is a usage error (2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let g = &cli.global;
    let ui = ui::Ui::new(g.color, g.quiet, g.verbose, no_color);
    match commands::run(cli, ui) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            ui::report_error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
