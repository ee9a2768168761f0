//! The short-lived loopback server that catches the OAuth redirect (RFC 8252 §7.3).
//! It binds 127.0.0.1 only, answers anything that is not this flow's callback without
//! ending the flow, and gives up at a deadline. It never tells the authorize URL (nor
//! its state) to anyone: any local user can reach it. A URL
//! pasted by the user (a browser on another machine) is taken the same way.

use super::callback::{self, Callback, Rejected};
use super::pages::page;
use super::Error;
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most of a request sbctl reads: its request line and headers. A browser's
/// callback is far smaller; anything larger is answered 431 and closed, so that a
/// local process cannot make sbctl hold megabytes while a sign-in waits.
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its whole request (not each read).
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections read at once. A new one always gets a slot: when all are taken, the
/// oldest is closed, so that slow local clients cannot keep the browser out.
const MAX_READERS: usize = 32;

pub struct Listener {
    requests: Receiver<Request>,
    stop: Arc<AtomicBool>,
    port: u16,
    path: String,
}

/// A request read from the browser: its target, and the connection to answer on.
pub struct Request {
    target: String,
    stream: TcpStream,
}

/// How the callback arrived. A browser request is answered once the caller knows the
/// outcome, so the page can say what happened.
pub enum Arrival {
    Browser(Callback, Request),
    Pasted(Callback),
}

/// What to say once while a sign-in takes long: after `after` (or half the timeout).
pub struct Hint<'a> {
    pub after: Duration,
    pub text: &'a str,
}

impl Listener {
    /// Binds 127.0.0.1:`port` (0: any free port) and starts taking connections.
    pub fn bind(port: u16, path: &str) -> Result<Listener, Error> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Error::PortInUse(port)
            } else {
                Error::Bind {
                    port,
                    reason: crate::error::io_reason(&e),
                }
            }
        })?;
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .expect("a bound socket has an address");
        let (tx, requests) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || accept(listener, tx, stopped));
        Ok(Listener {
            requests,
            stop,
            port,
            path: path.to_owned(),
        })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Serves requests until this flow's callback arrives (from the browser or pasted),
    /// or `timeout` passes. `notice` hears about requests that were turned away.
    pub fn wait(
        &self,
        state: &str,
        timeout: Duration,
        pasted: Option<&Receiver<String>>,
        (notice, hint): (&dyn Fn(&str), &Hint<'_>),
    ) -> Result<Arrival, Error> {
        let started = Instant::now();
        let deadline = started + timeout;
        // A provider's error page is invisible from here: say once, while waiting, what
        // most often goes wrong, rather than wait out the whole timeout in silence.
        let hint_at = started + hint.after.min(timeout / 2);
        let mut hinted = false;
        // A flood of stray requests must not flood the terminal: three notices, then one
        // saying that more are ignored silently.
        let turned_away = std::cell::Cell::new(0u32);
        let notice = |text: &str| {
            let n = turned_away.get() + 1;
            turned_away.set(n);
            match n {
                1..=3 => notice(text),
                4 => notice("more requests were turned away; ignoring them quietly while waiting"),
                _ => {}
            }
        };
        let notice: &dyn Fn(&str) = &notice;
        loop {
            let now = Instant::now();
            if !hinted && now >= hint_at {
                hinted = true;
                notice(hint.text);
            }
            if now >= deadline {
                return Err(Error::TimedOut(
                    crate::domain::duration::Duration::seconds(timeout.as_secs() as i64)
                        .to_string(),
                ));
            }
            if let Some(line) = pasted.and_then(|rx| rx.try_recv().ok()) {
                match callback::query_of_pasted(&line).map(|q| callback::parse(&q, state)) {
                    Some(Ok(cb)) => return Ok(Arrival::Pasted(cb)),
                    _ => notice(
                        "that is not the address the browser was sent back to; paste it whole, from the address bar",
                    ),
                }
            }
            let wait = (deadline - now).min(Duration::from_millis(100));
            let Ok(request) = self.requests.recv_timeout(wait) else {
                continue;
            };
            if let Some(cb) = self.answer(request, state, notice) {
                return Ok(cb);
            }
        }
    }

    /// Answers one request; returns the callback (with its request, unanswered) if it
    /// is this flow's.
    fn answer(&self, request: Request, state: &str, notice: &dyn Fn(&str)) -> Option<Arrival> {
        let url = request.target.clone();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        if path != self.path {
            respond(
                request,
                404,
                "sbctl: nothing here",
                "This address only takes the sign-in's answer.",
            );
            return None;
        }
        match callback::parse(query, state) {
            Ok(cb) => Some(Arrival::Browser(cb, request)),
            Err(Rejected::WrongState) => {
                notice("ignored a callback that did not carry this sign-in's state (an old tab, or a forgery); still waiting");
                respond(
                    request,
                    400,
                    "sbctl: this answer is not for the sign-in that is waiting",
                    "It may come from an old tab. Go back to the terminal: sbctl is still waiting for the sign-in it started.",
                );
                None
            }
            Err(Rejected::Malformed(why)) => {
                notice(&format!(
                    "ignored a malformed callback ({why}); still waiting"
                ));
                respond(request, 400, "sbctl: this answer cannot be read", why);
                None
            }
        }
    }
}

/// Answers the browser with a page (heading and next step are escaped).
pub fn respond(request: Request, status: u16, heading: &str, next: &str) {
    send(request.stream, status, &[], &page(heading, next));
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept thread, which then sees `stop` and ends (closing the port).
        let _ = TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
    }
}

/// Takes connections until the listener is dropped; each is read on its own thread.
fn accept(listener: TcpListener, tx: mpsc::Sender<Request>, stop: Arc<AtomicBool>) {
    // The connections being read, oldest first, to close the oldest when full.
    let reading: Arc<Mutex<VecDeque<(u64, TcpStream)>>> = Arc::default();
    for n in 0u64.. {
        let accepted = listener.accept();
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let Ok((stream, _)) = accepted else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Ok(handle) = stream.try_clone() else {
            continue;
        };
        {
            let mut reading = reading.lock().expect("reader list");
            if reading.len() >= MAX_READERS {
                if let Some((_, oldest)) = reading.pop_front() {
                    let _ = oldest.shutdown(std::net::Shutdown::Both);
                }
            }
            reading.push_back((n, handle));
        }
        let (tx, reading) = (tx.clone(), reading.clone());
        std::thread::spawn(move || {
            if let Some(request) = read_request(stream) {
                let _ = tx.send(request);
            }
            reading
                .lock()
                .expect("reader list")
                .retain(|(id, _)| *id != n);
        });
    }
}

/// Reads a request's head, at most `MAX_HEAD` bytes within `READ_TIMEOUT`; the body,
/// if any, is never read. Too large or not HTTP: answered here, and `None`.
fn read_request(mut stream: TcpStream) -> Option<Request> {
    // One deadline for the whole request: a client sending a byte a second must not
    // hold its slot for longer than a browser needs.
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let complete = loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            break true;
        }
        if head.len() > MAX_HEAD {
            break false;
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).ok()?;
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    };
    if !complete {
        send(
            stream,
            431,
            &[],
            &page(
                "sbctl: request too large",
                "This address only takes the sign-in's answer.",
            ),
        );
        return None;
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some("GET" | "HEAD"), Some(target), Some(v)) if v.starts_with("HTTP/1.") => {
            Some(Request {
                target: target.to_owned(),
                stream,
            })
        }
        (Some(_), Some(_), Some(v)) if v.starts_with("HTTP/1.") => {
            send(
                stream,
                405,
                &[("Allow", "GET")],
                &page(
                    "sbctl: not here",
                    "This address only takes the sign-in's answer.",
                ),
            );
            None
        }
        _ => None,
    }
}

/// Writes a complete HTML answer and closes the connection.
fn send(mut stream: TcpStream, status: u16, headers: &[(&str, &str)], body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Answer",
    };
    let mut text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        // A value with a line break would add headers of its own: never sent.
        if !value.contains(['\r', '\n']) {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    text.push_str("\r\n");
    text.push_str(body);
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}
