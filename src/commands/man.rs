//! `sbctl man`: the manual pages, rendered from the same clap definitions as `--help`:
//! sbctl(1) on stdout, or with `--dir` a page for each command (sbctl-refresh(1), ...,
//! which sbctl(1) names) written into a directory.

use crate::error::{Attention, Error, Result};
use crate::ui::Ui;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write sbctl.1 and a page for each command (sbctl-refresh.1, ...) into DIR
    /// (e.g. /usr/local/share/man/man1) instead of printing sbctl(1)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the manual page of `cli` (sbctl's clap definitions), or writes every page.
pub fn run(args: ManArgs, cli: clap::Command, ui: &Ui) -> Result<Attention> {
    if let Some(dir) = args.dir {
        if !dir.is_dir() {
            return Err(
                Error::failed(format!("{} is not a directory", dir.display()))
                    .hint("create it first (mkdir -p), or name another"),
            );
        }
        clap_mangen::generate_to(cli, &dir).map_err(|e| {
            Error::failed(format!(
                "cannot write the manual pages into {}: {}",
                dir.display(),
                crate::error::io_reason(&e)
            ))
        })?;
        ui.info(&format!("wrote the manual pages into {}", dir.display()));
        return Ok(Attention::None);
    }
    let mut out = Vec::new();
    // As `--dir` writes them: no page for `help`, so none is named.
    clap_mangen::Man::new(cli.disable_help_subcommand(true))
        .render(&mut out)
        .map_err(|e| Error::failed(format!("cannot render the manual page: {e}")))?;
    ui.data(&String::from_utf8_lossy(&out));
    Ok(Attention::None)
}
