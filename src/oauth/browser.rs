//! Opening the authorize URL: `$BROWSER <url>` when set (not waited on), else the
//! platform's opener. The URL is always printed as well, by the caller.

use std::process::{Command, Stdio};

/// Starts a browser on `url`. `browser` is `$BROWSER`: a command and its arguments,
/// where `%s` stands for the URL (else the URL is added at the end).
pub fn open(url: &str, browser: Option<&str>) -> Result<(), String> {
    let Some(browser) = browser.filter(|b| !b.trim().is_empty()) else {
        return open::that_detached(url).map_err(|e| e.to_string());
    };
    let mut words: Vec<String> = browser.split_whitespace().map(str::to_owned).collect();
    if words.iter().any(|w| w.contains("%s")) {
        for w in &mut words {
            *w = w.replace("%s", url);
        }
    } else {
        words.push(url.to_owned());
    }
    Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_child| ())
        .map_err(|e| format!("cannot run `{}`: {}", words[0], crate::error::io_reason(&e)))
}
