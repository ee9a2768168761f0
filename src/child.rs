//! The processes sbctl starts for the user (the notify command, the browser): what they
//! say on stderr, for the report when they fail.

use std::io::Read;
use std::process::ChildStderr;
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// Reads the first 4 KiB a process writes on stderr, on a thread of its own, and
/// drains the rest so that the process never blocks on a full pipe.
pub fn stderr_of(mut err: ChildStderr) -> Receiver<Vec<u8>> {
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = (&mut err).take(4096).read_to_end(&mut kept);
        let _ = said.send(kept);
        let _ = std::io::copy(&mut err, &mut std::io::sink());
    });
    heard
}

/// The last line the process wrote, once it has exited: waited for a little only, as a
/// process it left behind may hold stderr open. Safe for a terminal and kept short.
pub fn last_line(heard: &Receiver<Vec<u8>>) -> Option<String> {
    let text = heard.recv_timeout(Duration::from_millis(200)).ok()?;
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let line = crate::ui::one_line(line);
    Some(crate::domain::profile::capped(&line, 200).into_owned())
}
