//! The command line, as clap derive types only. Doc comments are the help text.

use crate::commands::{
    authorize, check, completions, doctor, man, metrics, profiles, providers, reauth, refresh,
    report, secrets, token,
};
use crate::ui::ColorChoice;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Keep social-media profiles connected: see which tokens need re-authorization and why.
///
/// sbctl keeps profiles (a Facebook Page, an X account, a custom OAuth provider...) in a
/// local SQLite file and their tokens in the OS keyring or a 0600 file.
#[derive(Debug, Parser)]
#[command(name = "sbctl", version = crate::version::VERSION, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Profile database [default: <data dir>/sbctl/sbctl.db]
    #[arg(long, global = true, env = "SBCTL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Config file [default: <config dir>/sbctl/config.toml]
    #[arg(long, global = true, env = "SBCTL_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Where tokens and client secrets are kept [default: auto]
    #[arg(long, global = true, env = "SBCTL_SECRET_STORE", value_enum)]
    pub secret_store: Option<crate::secrets::Kind>,

    /// When to colour the output (NO_COLOR turns `auto` off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print nothing but errors and requested data
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Explain what happens on stderr (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl GlobalArgs {
    /// What the flags (and their environment variables) settle before the config file.
    pub fn overrides(&self) -> crate::config::Overrides {
        crate::config::Overrides {
            db: self.db.clone(),
            config: self.config.clone(),
            secret_store: self.secret_store,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show, add, remove, import and export profiles
    #[command(subcommand)]
    Profiles(profiles::ProfilesCommand),
    /// Sign in where the browser is and print the result as one line, for `reauth
    /// --with-token` on a server; keeps nothing here
    Authorize(authorize::AuthorizeArgs),
    /// Re-authorize a profile in the browser (it must sign in as the same account)
    Reauth(reauth::ReauthArgs),
    /// Renew tokens that are due (for cron), validate those without expiry
    Refresh(refresh::RefreshArgs),
    /// Print a profile's access token on stdout, for other tools to post with
    Token(token::TokenArgs),
    /// List the profiles that need attention (local state; with --online, ask each provider)
    Check(check::CheckArgs),
    /// List providers and store their client secrets
    #[command(subcommand)]
    Providers(providers::ProvidersCommand),
    /// Rotate the age key that encrypts the file secret store
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
    /// Check the database, the secret store and the providers' configuration
    Doctor(doctor::DoctorArgs),
    /// Print the fleet's state as Prometheus metrics (reads the database only)
    Metrics(metrics::MetricsArgs),
    /// Write a one-page HTML report: profiles by status and a deadline timeline
    Report(report::ReportArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write every command's page with --dir
    /// (e.g. `sbctl man --dir ~/.local/share/man/man1`)
    Man(man::ManArgs),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
