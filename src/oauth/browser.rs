//! Opening the authorize URL without showing it to other users. The URL carries the
//! sign-in's `state` and PKCE challenge: in a browser's command line (`ps -eww`) any
//! local user could read them and answer the listener first. So the browser gets a
//! private page instead (a file only this user can read, in a directory only this user
//! can enter) that forwards to the authorize URL, and the page is removed when the
//! sign-in ends. `$BROWSER` is used when set (not waited on), else the platform's
//! opener. The URL itself is also printed, by the caller, on this user's terminal.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The private page a browser was started on; removed (with its directory) on drop.
pub struct Opened {
    dir: PathBuf,
}

impl Drop for Opened {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a browser on a private page that forwards to `url`. `browser` is
/// `$BROWSER`: a command and its arguments, where `%s` stands for the page's
/// `file://` address (else it is added at the end).
pub fn open(url: &str, browser: Option<&str>) -> Result<Opened, String> {
    let (opened, page) = write_page(url)
        .map_err(|e| format!("cannot write its page: {}", crate::error::io_reason(&e)))?;
    let address = format!("file://{}", page.display());
    let Some(browser) = browser.filter(|b| !b.trim().is_empty()) else {
        open::that_detached(&address).map_err(|e| e.to_string())?;
        return Ok(opened);
    };
    let mut words =
        shell_words::split(browser).map_err(|e| format!("$BROWSER is not a command line ({e})"))?;
    if words.is_empty() {
        return Err("$BROWSER names no command".into());
    }
    if words.iter().any(|w| w.contains("%s")) {
        for w in &mut words {
            *w = w.replace("%s", &address);
        }
    } else {
        words.push(address);
    }
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {}", words[0], crate::error::io_reason(&e)))?;
    let heard = child.stderr.take().map(crate::child::stderr_of);
    // A browser that cannot start says so at once: a moment's wait turns that into an
    // error now rather than a sign-in nobody can finish. One still running (or an
    // opener that handed the page on and exited 0) is the browser at work.
    let started = Instant::now();
    while started.elapsed() < FAILS_WITHIN {
        match child.try_wait() {
            Ok(Some(status)) if !status.success() => {
                let said = heard
                    .as_ref()
                    .and_then(crate::child::last_line)
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default();
                return Err(format!("`{}` exited with {status}{said}", words[0]));
            }
            Ok(Some(_)) | Err(_) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    Ok(opened)
}

/// How long a browser that fails at once has to say so.
const FAILS_WITHIN: Duration = Duration::from_millis(500);

/// Writes the forwarding page, 0600 in a new 0700 directory of an unguessable name
/// (in `$XDG_RUNTIME_DIR`, this user's own, when set; else the temporary directory).
fn write_page(url: &str) -> std::io::Result<(Opened, PathBuf)> {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let dir = private_dir(&base)?;
    let opened = Opened { dir: dir.clone() };
    let page = dir.join("sign-in.html");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&page)?;
    file.write_all(forwarding_page(url).as_bytes())?;
    Ok((opened, page))
}

/// Creates a directory only this user may enter: a new name each time, so that
/// nobody can have made it first (creation fails on a name that exists).
fn private_dir(base: &Path) -> std::io::Result<PathBuf> {
    loop {
        let dir = base.join(format!("sbctl-{:016x}", rand::random::<u64>()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            other => return other.map(|()| dir),
        }
    }
}

/// A page that sends the browser on to `url` at once, with a link for a browser that
/// does not follow by itself.
fn forwarding_page(url: &str) -> String {
    let url = crate::ui::html_escape(url);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0; url={url}\">\
         <title>sbctl: sign in</title></head><body>\n\
         <p>Going on to sign in. <a id=\"go\" href=\"{url}\">Continue</a></p>\n\
         </body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn the_page_is_private_forwards_to_the_url_and_goes_with_the_sign_in() {
        let url = "https://id.example/auth?client_id=a&state=s3cret&x=\"<y>\"";
        let (opened, page) = write_page(url).unwrap();
        let dir = page.parent().unwrap().to_owned();
        assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&page).unwrap().mode() & 0o777, 0o600);
        let html = std::fs::read_to_string(&page).unwrap();
        let escaped =
            "https://id.example/auth?client_id=a&amp;state=s3cret&amp;x=&quot;&lt;y&gt;&quot;";
        assert!(
            html.contains(&format!("content=\"0; url={escaped}\"")),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"{escaped}\"")), "{html}");
        drop(opened);
        assert!(!dir.exists(), "the page outlived its sign-in");
    }
}
