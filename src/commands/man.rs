//! `sbctl man`: the manual page, rendered from the same clap definitions as `--help`.

use crate::cli::Cli;
use crate::error::{Attention, Error, Result};
use crate::ui::Ui;
use clap::{Args, CommandFactory};

#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn run(_args: ManArgs, ui: &Ui) -> Result<Attention> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::failed(format!("cannot render the manual page: {e}")))?;
    ui.data(&String::from_utf8_lossy(&out));
    Ok(Attention::None)
}
