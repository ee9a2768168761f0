//! `sbctl completions <shell>`: completion scripts from the clap definitions.

use crate::error::{Attention, Result};
use crate::ui::Ui;
use clap::Args;
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: Shell,
}

/// Prints the completion script of `cli` (sbctl's clap definitions) for the shell, as
/// checked in under `completions/`.
pub fn run(args: CompletionsArgs, mut cli: clap::Command, ui: &Ui) -> Result<Attention> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "sbctl", &mut out);
    ui.data(&String::from_utf8(out).expect("completion scripts are UTF-8"));
    Ok(Attention::None)
}
