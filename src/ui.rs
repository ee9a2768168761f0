//! The one door to the terminal: stdout for requested data, stderr for everything else,
//! with `--quiet`, `--verbose`, colour and terminal detection decided here only.

use crate::cli::{ColorChoice, GlobalArgs};
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use std::io::{IsTerminal, Read, Write};

/// How a value should look: colour is applied only when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Warn,
    Bad,
}

pub struct Ui {
    quiet: bool,
    verbose: u8,
    color: bool,
    stdout_tty: bool,
    stdin_tty: bool,
    stderr_tty: bool,
}

impl Ui {
    pub fn new(args: &GlobalArgs, no_color_env: bool) -> Ui {
        let stdout_tty = std::io::stdout().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color_env,
        };
        Ui {
            quiet: args.quiet,
            verbose: args.verbose,
            color,
            stdout_tty,
            stdin_tty: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }

    /// Requested data on stdout (printed even with `--quiet`).
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`sbctl profiles list | head`) is not an error worth reporting.
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    pub fn json(&self, value: &serde_json::Value) {
        self.data(&serde_json::to_string_pretty(value).expect("JSON values always serialize"));
    }

    /// What happened, for people, on stderr; silent with `--quiet`.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            to_stderr(format_args!("{text}\n"));
        }
    }

    /// What the user must see even with `--quiet` (an address to open, a question).
    pub fn notice(&self, text: &str) {
        to_stderr(format_args!("{text}\n"));
    }

    pub fn warn(&self, text: &str) {
        to_stderr(format_args!("warning: {text}\n"));
    }

    /// Diagnostics with `-v`; never a secret.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            to_stderr(format_args!("debug: {text}\n"));
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A progress bar on stderr, only on a terminal and without `--quiet`.
    pub fn progress(&self, len: usize) -> Option<indicatif::ProgressBar> {
        if !self.stderr_tty || self.quiet || len < 2 {
            return None;
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .expect("a valid template"),
        );
        Some(bar)
    }

    pub fn stdin_is_terminal(&self) -> bool {
        self.stdin_tty
    }

    /// Asks a yes/no question on a terminal; `false` unless the answer is yes.
    pub fn confirm(&self, question: &str) -> bool {
        to_stderr(format_args!("{question} [y/N] "));
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).is_ok()
            && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
    }

    /// Reads all of stdin (a token, a secret or an import file).
    pub fn read_stdin(&self) -> std::io::Result<String> {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    }

    /// Reads a secret: without echo on a terminal, else all of stdin.
    pub fn read_secret(&self, prompt: &str) -> std::io::Result<String> {
        if self.stdin_tty {
            rpassword::prompt_password(prompt)
        } else {
            self.read_stdin()
        }
    }

    /// Prints a table in the style of `kubectl get`: no borders, upper-case headers,
    /// wrapped to the terminal's width (at most 100 columns) only on a terminal.
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<(String, Tone)>>) {
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        if self.stdout_tty {
            // A pseudo-terminal may report no size at all (0 columns): then 100.
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .or(table.width())
                .filter(|w| *w >= 40)
                .unwrap_or(100)
                .min(100);
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        } else {
            table.set_content_arrangement(ContentArrangement::Disabled);
            table.force_no_tty();
        }
        if self.color {
            table.enforce_styling();
        }
        table.set_header(headers.iter().map(Cell::new));
        for row in rows {
            table.add_row(row.into_iter().map(|(text, tone)| {
                let cell = Cell::new(printable(&text));
                match (self.color, tone) {
                    (false, _) | (_, Tone::Plain) => cell,
                    (true, Tone::Good) => cell.fg(Color::Green),
                    (true, Tone::Warn) => cell.fg(Color::Yellow),
                    (true, Tone::Bad) => cell.fg(Color::Red),
                }
            }));
        }
        for column in table.column_iter_mut() {
            column.set_padding((0, 3));
        }
        // Padding leaves a trailing space on each line; people and diffs prefer none.
        let text: String = table
            .lines()
            .map(|l| l.trim_end().to_owned() + "\n")
            .collect();
        self.data(&text);
    }
}

/// The last words of a failed command, on stderr (the Ui is gone by then).
pub fn report_error(text: &str) {
    to_stderr(format_args!("error: {text}\n"));
}

/// Writes to stderr, ignoring failure: a closed stderr must not crash a flow that is
/// half-way through storing a token (`eprintln!` would panic).
fn to_stderr(text: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(printable(&text.to_string()).as_bytes());
    let _ = err.flush();
}

/// Text from outside (a provider's error description, an account name) made safe for a
/// terminal: control characters other than line breaks and tabs are shown escaped, so
/// that nobody can move the cursor or recolour the screen through sbctl.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn terminal_escapes_are_defused() {
        assert_eq!(printable("a\u{1b}[2Jb\r\u{7}"), "a\\u{1b}[2Jb\\r\\u{7}");
        assert_eq!(printable("line\n\tnext é"), "line\n\tnext é");
    }
}
