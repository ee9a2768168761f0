//! Text that waits in a temporary file instead of memory: the rows of a table, the
//! samples of a metric family, the groups of a report, while the rest of the fleet is
//! read. The file is unlinked from the start (`tempfile`, in `$TMPDIR`) and gone when
//! the spool is dropped. Nothing secret is ever spooled: only what sbctl prints.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

pub struct Spool {
    file: BufWriter<File>,
    len: u64,
}

impl Spool {
    pub fn new() -> std::io::Result<Spool> {
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            len: 0,
        })
    }

    pub fn write_str(&mut self, text: &str) -> std::io::Result<()> {
        self.len += text.len() as u64;
        self.file.write_all(text.as_bytes())
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file, flushed and read from its start.
    fn reader(self) -> std::io::Result<BufReader<File>> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(BufReader::with_capacity(1 << 16, file))
    }

    /// Writes everything spooled to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> std::io::Result<()> {
        std::io::copy(&mut self.reader()?, out).map(|_| ())
    }

    /// Hands each line spooled (without its line break) to `f`, in order.
    pub fn lines(self, f: &mut dyn FnMut(&str)) -> std::io::Result<()> {
        let mut reader = self.reader()?;
        let mut line = String::new();
        while reader.read_line(&mut line)? > 0 {
            f(line.trim_end_matches('\n'));
            line.clear();
        }
        Ok(())
    }
}

/// The error of a spool that could not be written or read back, with its fix.
pub fn failed(e: std::io::Error) -> crate::error::Error {
    crate::error::Error::failed(format!(
        "cannot write a temporary file: {}",
        crate::error::io_reason(&e)
    ))
    .hint("free some space in $TMPDIR (or point TMPDIR elsewhere) and run the command again")
}
