//! `sbctl completions <shell>`: completion scripts from the clap definitions.

use crate::cli::Cli;
use crate::error::{Attention, Result};
use crate::ui::Ui;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    pub shell: Shell,
}

/// The completion script for `shell`, as checked in under `completions/`.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sbctl", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}

pub fn run(args: CompletionsArgs, ui: &Ui) -> Result<Attention> {
    ui.data(&script(args.shell));
    Ok(Attention::None)
}
