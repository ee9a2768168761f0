//! The one door to the terminal: stdout for requested data, stderr for everything else,
//! with `--quiet`, `--verbose`, colour and terminal detection decided here only.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
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
    pub fn new(color: ColorChoice, quiet: bool, verbose: u8, no_color_env: bool) -> Ui {
        let stdout_tty = std::io::stdout().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color_env,
        };
        // The flag wins over NO_COLOR, which only turns `auto` off (comfy-table's
        // cells would otherwise follow NO_COLOR alone).
        if color {
            crossterm::style::force_color_output(true);
        }
        Ui {
            quiet,
            verbose,
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
            to_stderr(format_args!("{}\n", one_line(text)));
        }
    }

    /// What the user must see even with `--quiet` (an address to open, a question).
    pub fn notice(&self, text: &str) {
        to_stderr(format_args!("{text}\n"));
    }

    pub fn warn(&self, text: &str) {
        to_stderr(format_args!("warning: {}\n", one_line(text)));
    }

    /// Diagnostics with `-v`; never a secret.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            to_stderr(format_args!("debug: {}\n", one_line(text)));
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A progress bar on stderr, only on a terminal and without `--quiet`.
    pub fn progress(&self, len: usize) -> Option<indicatif::ProgressBar> {
        if len < 2 {
            return None;
        }
        self.progress_growing()
            .inspect(|bar| bar.set_length(len as u64))
    }

    /// A progress bar whose length grows as the work is found (`refresh` renews
    /// while it reads); none off a terminal or with `--quiet`.
    pub fn progress_growing(&self) -> Option<indicatif::ProgressBar> {
        if !self.stderr_tty || self.quiet {
            return None;
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .expect("a valid template"),
        );
        Some(bar)
    }

    /// `text` as a QR code on stderr, for a phone to read, when stdout is a terminal
    /// (someone is looking); nothing otherwise.
    pub fn qr_code(&self, text: &str) {
        if !self.stdout_tty {
            return;
        }
        use qrcode::render::unicode::Dense1x2;
        if let Ok(code) = qrcode::QrCode::new(text.as_bytes()) {
            let drawn = code
                .render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build();
            to_stderr(format_args!("{drawn}\n"));
        }
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

    /// Prints a table in the style of `kubectl get`: no borders, upper-case headers.
    /// On a terminal comfy-table wraps it to the width (at most 100 columns); into a
    /// pipe or file, or when the rows outgrew memory (a table nobody reads on a
    /// screen), the rows are written as they are, fast even for a million of them.
    pub fn table(&self, headers: &[&str], rows: Rows) {
        if self.stdout_tty && rows.spill.is_none() {
            self.wrapped_table(headers, rows);
        } else {
            self.plain_table(headers, rows);
        }
    }

    fn plain_table(&self, headers: &[&str], mut rows: Rows) {
        let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
        for (w, r) in widths.iter_mut().zip(&rows.widths) {
            *w = (*w).max(*r);
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let mut line = String::new();
        let mut write = |cells: &mut dyn Iterator<Item = (&str, Tone)>| {
            line.clear();
            for ((text, tone), width) in cells.zip(&widths) {
                let pad = width.saturating_sub(self::width(text)) + 3;
                match (self.color, ansi(tone)) {
                    (true, Some(code)) => {
                        line.push_str("\u{1b}[");
                        line.push_str(code);
                        line.push('m');
                        line.push_str(text);
                        line.push_str("\u{1b}[39m");
                    }
                    _ => line.push_str(text),
                }
                const SPACES: &str =
                    "                                                                ";
                let mut left = pad;
                while left > 0 {
                    let n = left.min(SPACES.len());
                    line.push_str(&SPACES[..n]);
                    left -= n;
                }
            }
            line.truncate(line.trim_end().len());
            line.push('\n');
            // A closed pipe (`| head`) is not an error worth reporting.
            out.write_all(line.as_bytes())
        };
        let mut written = write(&mut headers.iter().map(|h| (*h, Tone::Plain)));
        if let Some(spill) = rows.spill.take() {
            let mut back = String::new();
            let read = spill.spool.lines(&mut |row| {
                back.clear();
                back.push_str(row);
                if written.is_ok() {
                    written = write(&mut Rows::decode(&back));
                }
            });
            if let Err(e) = read {
                report_warning(&format!(
                    "the table was cut short: its temporary file could not be read ({})",
                    crate::error::io_reason(&e)
                ));
            }
        }
        for mut row in rows.iter() {
            if written.is_ok() {
                written = write(&mut row);
            }
        }
        let _ = out.flush();
    }

    fn wrapped_table(&self, headers: &[&str], rows: Rows) {
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
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
        if self.color {
            table.enforce_styling();
        }
        table.set_header(headers.iter().map(Cell::new));
        for row in rows.iter() {
            table.add_row(row.map(|(text, tone)| {
                let cell = Cell::new(text);
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

    /// A JSON array written one element per line as the elements come, so that a list
    /// of 100,000 profiles is never held in memory twice.
    pub fn json_array<T: serde::Serialize>(&self, items: impl Iterator<Item = T>) {
        let mut array = self.json_stream();
        for item in items {
            array.push(&item);
        }
        array.finish();
    }

    /// Rows for `table`, kept in memory as long as they are worth it where they go.
    pub fn rows(&self) -> Rows {
        Rows {
            spill_at: if self.stdout_tty {
                SPILL_BYTES_AT_TERMINAL
            } else {
                SPILL_BYTES
            },
            ..Rows::default()
        }
    }

    /// The same, fed one element at a time (from a store read row by row).
    pub fn json_stream(&self) -> JsonStream {
        JsonStream {
            out: std::io::BufWriter::new(std::io::stdout().lock()),
            first: true,
        }
    }
}

/// The rows of a table, kept compactly: every cell's text (made `printable`) in one
/// string, so that 100,000 rows cost a few allocations, not 700,000. Past a few
/// megabytes the rows so far go to a temporary file (unlinked, in `$TMPDIR`; a table
/// holds no secret), and are read back in order when the table is printed: a table of
/// a million rows costs the memory of one of fifty thousand.
#[derive(Default)]
pub struct Rows {
    text: String,
    /// Where each cell ends in `text`, and how it looks.
    cells: Vec<(usize, Tone)>,
    columns: usize,
    /// The widest cell of each column, in characters.
    widths: Vec<usize>,
    /// The rows before those in `text`, when there were too many to keep.
    spill: Option<Spill>,
    /// Past this many bytes of text the rows go to the spill (0: `SPILL_BYTES`).
    spill_at: usize,
    /// The first error writing the spill: the table is then cut short, and says so.
    spill_failed: bool,
}

/// Bytes of cell text kept in memory before the rows go to a temporary file: into a
/// pipe or file a little (the table prints as it is read back), on a terminal enough
/// for comfy-table to wrap some 100,000 rows to the screen.
const SPILL_BYTES: usize = 256 << 10;
const SPILL_BYTES_AT_TERMINAL: usize = 8 << 20;

/// Rows written to a spool, one line each: per cell its tone (a digit), its text
/// (which holds no control character: `write_cell` made it one line) and 0x1f.
struct Spill {
    spool: crate::spool::Spool,
    rows: usize,
}

impl Rows {
    pub fn push(&mut self, row: Vec<(String, Tone)>) {
        for (column, (cell, tone)) in row.into_iter().enumerate() {
            self.write_cell(column, |out| {
                out.push_str(&cell);
                tone
            });
        }
    }

    /// Adds the cell of `column` to the current row, written in place by `write`
    /// (which returns its tone) and made one line.
    pub fn write_cell(&mut self, column: usize, write: impl FnOnce(&mut String) -> Tone) {
        let spill_at = if self.spill_at == 0 {
            SPILL_BYTES
        } else {
            self.spill_at
        };
        if column == 0 && self.text.len() >= spill_at {
            self.spill_rows();
        }
        let start = self.text.len();
        let tone = write(&mut self.text);
        if has_control(&self.text[start..]) {
            let clean = one_line(&self.text[start..]).into_owned();
            self.text.truncate(start);
            self.text.push_str(&clean);
        }
        if self.widths.len() <= column {
            self.widths.resize(column + 1, 0);
        }
        self.widths[column] = self.widths[column].max(width(&self.text[start..]));
        self.columns = self.columns.max(column + 1);
        self.cells.push((self.text.len(), tone));
    }

    /// Moves the rows in memory to the temporary file.
    fn spill_rows(&mut self) {
        if self.spill_failed {
            return;
        }
        if self.spill.is_none() {
            match crate::spool::Spool::new() {
                Ok(spool) => self.spill = Some(Spill { spool, rows: 0 }),
                Err(e) => {
                    self.spill_failed = true;
                    report_warning(&format!(
                        "the table is kept in memory: no temporary file ({})",
                        crate::error::io_reason(&e)
                    ));
                }
            }
        }
        let mut encoded = String::with_capacity(self.text.len() + self.cells.len() * 2);
        for row in self.iter() {
            for (text, tone) in row {
                encoded.push(char::from(b'0' + tone as u8));
                encoded.push_str(text);
                encoded.push('\x1f');
            }
            encoded.push('\n');
        }
        let rows = self.len();
        let Some(spill) = self.spill.as_mut() else {
            return;
        };
        if let Err(e) = spill.spool.write_str(&encoded) {
            report_warning(&format!(
                "the table is kept in memory: its temporary file could not be written ({})",
                crate::error::io_reason(&e)
            ));
            self.spill_failed = true;
            return;
        }
        spill.rows += rows;
        self.text.clear();
        self.cells.clear();
    }

    /// The cells of a spilled row's line.
    fn decode(line: &str) -> impl Iterator<Item = (&str, Tone)> {
        line.split_terminator('\x1f').map(|cell| {
            let tone = match cell.as_bytes().first() {
                Some(b'1') => Tone::Good,
                Some(b'2') => Tone::Warn,
                Some(b'3') => Tone::Bad,
                _ => Tone::Plain,
            };
            (cell.get(1..).unwrap_or(""), tone)
        })
    }

    /// The rows in memory (not those spilled).
    fn len(&self) -> usize {
        self.cells.len().checked_div(self.columns).unwrap_or(0)
    }

    /// How many rows there are.
    pub fn count(&self) -> usize {
        self.len() + self.spill.as_ref().map_or(0, |s| s.rows)
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Each row's cells in memory as text and tone.
    fn iter(&self) -> impl Iterator<Item = impl Iterator<Item = (&str, Tone)> + '_> + '_ {
        let columns = self.columns.max(1);
        (0..self.len()).map(move |row| {
            (row * columns..(row + 1) * columns).map(move |k| {
                let start = k.checked_sub(1).map_or(0, |before| self.cells[before].0);
                let (end, tone) = self.cells[k];
                (&self.text[start..end], tone)
            })
        })
    }
}

/// How many characters wide `text` is (ASCII, the common case, without decoding).
fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Escapes text for HTML content and attribute values (the listener's pages, the
/// report). Control and bidirectional
/// characters are shown as escapes (`\u{202e}`), as on the terminal: a name must not
/// reorder the row it is in.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if is_hidden(c) && c != '\n' && c != '\t' => out.extend(c.escape_default()),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "1 profile", "2 profiles": a count and its noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub use crate::domain::is_hidden;

/// Whether `text` holds a hidden character (ASCII, the common case, byte by byte).
fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        text.chars().any(is_hidden)
    }
}

impl FromIterator<Vec<(String, Tone)>> for Rows {
    fn from_iter<I: IntoIterator<Item = Vec<(String, Tone)>>>(rows: I) -> Rows {
        let mut all = Rows::default();
        for row in rows {
            all.push(row);
        }
        all
    }
}

/// A JSON array being written to stdout (see `Ui::json_stream`). A closed pipe is
/// not an error worth reporting, as in `Ui::data`.
pub struct JsonStream {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    first: bool,
}

impl JsonStream {
    pub fn push<T: serde::Serialize>(&mut self, item: &T) {
        let _ = self.out.write_all(if self.first { b"[\n" } else { b",\n" });
        self.first = false;
        let _ = serde_json::to_writer(&mut self.out, item);
    }

    pub fn finish(mut self) {
        let _ = self
            .out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" });
        let _ = self.out.flush();
    }
}

/// The terminal colour code of a tone (as comfy-table's 256-colour codes).
fn ansi(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain => None,
        Tone::Good => Some("38;5;10"),
        Tone::Warn => Some("38;5;11"),
        Tone::Bad => Some("38;5;9"),
    }
}

/// A warning from outside the command's flow (a signal's watcher), on stderr.
pub fn report_warning(text: &str) {
    to_stderr(format_args!("warning: {}\n", one_line(text)));
}

/// The last words of a failed command, on stderr (the Ui is gone by then): what went
/// wrong on one line, and what to do about it on the next, as `git` and `jj` say it.
pub fn report_error(e: &crate::error::Error) {
    to_stderr(format_args!("error: {}\n", one_line(&e.message)));
    for cause in &e.causes {
        to_stderr(format_args!("caused by: {}\n", one_line(cause)));
    }
    for hint in &e.hints {
        to_stderr(format_args!("hint: {}\n", one_line(hint)));
    }
}

/// Writes to stderr, ignoring failure: a closed stderr must not crash a flow that is
/// half-way through storing a token (`eprintln!` would panic).
fn to_stderr(text: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let text = text.to_string();
    let _ = err.write_all(printable(&text).as_bytes());
    let _ = err.flush();
}

/// Text from outside made one line, wherever it is shown: line breaks and tabs are
/// escaped too (`\n`), so that an error description or an account name cannot print a
/// line or a table row of its own ("ok: all profiles renewed").
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_control(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if is_hidden(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Text from outside (a provider's error description, an account name) made safe for a
/// terminal: control characters other than line breaks and tabs, and bidirectional
/// controls, are shown escaped, so that nobody can move the cursor, recolour the screen
/// or reorder a line through sbctl.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_hidden(c) && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_hidden(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn outside_text_is_one_line() {
        assert_eq!(
            super::one_line("bad\nok: all profiles renewed\r\t!"),
            "bad\\nok: all profiles renewed\\r\\t!"
        );
        assert_eq!(super::one_line("plain é"), "plain é");
    }

    #[test]
    fn terminal_escapes_are_defused() {
        assert_eq!(printable("a\u{1b}[2Jb\r\u{7}"), "a\\u{1b}[2Jb\\r\\u{7}");
        assert_eq!(printable("line\n\tnext é"), "line\n\tnext é");
        // Bidirectional controls would reorder the rest of the line.
        assert_eq!(
            printable("acme\u{202E}KO\u{2066}x"),
            "acme\\u{202e}KO\\u{2066}x"
        );
        assert_eq!(super::one_line("a\u{200F}b"), "a\\u{200f}b");
    }
}
