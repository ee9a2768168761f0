//! `sbctl man`: the manual page, rendered from the same clap definitions as `--help`.

use crate::error::{Attention, Error, Result};
use crate::ui::Ui;
use clap::Args;

#[derive(Debug, Args)]
pub struct ManArgs {}

/// Prints the manual page of `cli` (sbctl's clap definitions).
pub fn run(_args: ManArgs, cli: clap::Command, ui: &Ui) -> Result<Attention> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cli)
        .render(&mut out)
        .map_err(|e| Error::failed(format!("cannot render the manual page: {e}")))?;
    ui.data(&String::from_utf8_lossy(&out));
    Ok(Attention::None)
}
