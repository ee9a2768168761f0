//! The short-lived loopback server that catches the OAuth redirect (RFC 8252 §7.3).
//! It binds 127.0.0.1 only, redirects `/` to the authorize URL, answers anything that is
//! not this flow's callback without ending the flow, and gives up at a deadline. A URL
//! pasted by the user (a browser on another machine) is taken the same way.

use super::callback::{self, Callback, Rejected};
use super::pages::page;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use tiny_http::{Header, Request, Response, Server};

pub struct Listener {
    server: Server,
    port: u16,
    path: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("port {0} is already in use on 127.0.0.1")]
    PortInUse(u16),
    #[error("cannot listen on 127.0.0.1:{port} ({reason})")]
    Bind { port: u16, reason: String },
    #[error("no answer from the browser within {0}")]
    TimedOut(String),
}

/// How the callback arrived. A browser request is answered once the caller knows the
/// outcome, so the page can say what happened.
pub enum Arrival {
    Browser(Callback, Request),
    Pasted(Callback),
}

impl Listener {
    /// Binds 127.0.0.1:`port` (0: any free port).
    pub fn bind(port: u16, path: &str) -> Result<Listener, ListenError> {
        let server = Server::http(("127.0.0.1", port)).map_err(|e| {
            let in_use = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse);
            if in_use {
                ListenError::PortInUse(port)
            } else {
                ListenError::Bind {
                    port,
                    reason: e.to_string(),
                }
            }
        })?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .expect("bound to an IP address");
        Ok(Listener {
            server,
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
        authorize_url: &str,
        state: &str,
        timeout: Duration,
        pasted: Option<&Receiver<String>>,
        notice: &dyn Fn(&str),
    ) -> Result<Arrival, ListenError> {
        let deadline = Instant::now() + timeout;
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
            if now >= deadline {
                return Err(ListenError::TimedOut(
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
            let Ok(Some(request)) = self.server.recv_timeout(wait) else {
                continue;
            };
            if let Some(cb) = self.answer(request, authorize_url, state, notice) {
                return Ok(cb);
            }
        }
    }

    /// Answers one request; returns the callback (with its request, unanswered) if it
    /// is this flow's.
    fn answer(
        &self,
        request: Request,
        authorize_url: &str,
        state: &str,
        notice: &dyn Fn(&str),
    ) -> Option<Arrival> {
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        if path == "/" {
            let response = Response::from_string(page(
                "sbctl: continue at your provider",
                "Your browser should have gone on to sign in. If not, follow the authorize link sbctl printed.",
            ))
            .with_status_code(302)
            .with_header(html())
            .with_header(
                Header::from_bytes("Location", authorize_url).expect("an authorize URL is a valid header"),
            );
            let _ = request.respond(response);
            return None;
        }
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

fn html() -> Header {
    Header::from_bytes("Content-Type", "text/html; charset=utf-8").expect("a valid header")
}

/// Answers the browser with a page (heading and next step are escaped).
pub fn respond(request: Request, status: u16, heading: &str, next: &str) {
    let response = Response::from_string(page(heading, next))
        .with_status_code(status)
        .with_header(html())
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("a valid header"));
    let _ = request.respond(response);
}
