//! A fault proxy on 127.0.0.1: forwards each HTTP/1.1 request to a target (one
//! connection per request) and, on demand, delays, resets, truncates, hangs, or
//! answers for the target with a status or an HTML page.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Trouble {
    /// Waits, then forwards.
    Delay(Duration),
    /// Forwards at once (the target acts on it: a rotating refresh token is used up),
    /// then holds the answer back this long.
    SlowAnswer(Duration),
    /// Closes the connection without forwarding: the target never sees the request.
    Reset,
    /// Forwards (the target acts on it), then sends back half of its answer.
    Truncate,
    /// Holds the connection open without an answer, then closes it.
    Hang(Duration),
    /// Answers for the target: status, body, Retry-After.
    Answer(u16, String, Option<String>),
    /// Forwards the request twice, as a replayed request would reach the target; the
    /// client gets the second answer.
    Replay,
}

struct Rule {
    path: String,
    trouble: Trouble,
    left: usize,
}

pub struct Proxy {
    pub base: String,
    rules: Arc<Mutex<VecDeque<Rule>>>,
}

impl Proxy {
    /// Starts a proxy to `target` (`http://127.0.0.1:PORT`).
    pub fn start(target: &str) -> Proxy {
        let target = target.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let rules: Arc<Mutex<VecDeque<Rule>>> = Arc::default();
        let shared = rules.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (rules, target) = (shared.clone(), target.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &target, &rules);
                });
            }
        });
        Proxy { base, rules }
    }

    /// The next `times` requests whose path contains `path` meet `trouble`.
    pub fn push(&self, path: &str, trouble: Trouble, times: usize) {
        self.rules.lock().unwrap().push_back(Rule {
            path: path.into(),
            trouble,
            left: times,
        });
    }

    /// Forgets the troubles not met yet.
    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }
}

/// Reads one HTTP message head and its Content-Length body.
fn read_message(reader: &mut BufReader<&TcpStream>) -> std::io::Result<(String, Vec<u8>)> {
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((head, body))
}

/// The head with `Connection: close` in place of what it said about the connection.
fn closing(head: &str) -> String {
    let mut out: String = head
        .split_inclusive("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && *l != "\r\n")
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    out
}

fn serve(client: TcpStream, target: &str, rules: &Mutex<VecDeque<Rule>>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut BufReader::new(&client))?;
    let path = head.split(' ').nth(1).unwrap_or("").to_owned();
    let trouble = {
        let mut rules = rules.lock().unwrap();
        let found = rules.iter_mut().position(|r| path.contains(&r.path));
        found.map(|i| {
            rules[i].left -= 1;
            let t = rules[i].trouble.clone();
            if rules[i].left == 0 {
                rules.remove(i);
            }
            t
        })
    };
    let mut client = client;
    match &trouble {
        Some(Trouble::Reset) => return Ok(()),
        Some(Trouble::Hang(d)) => {
            std::thread::sleep(*d);
            return Ok(());
        }
        Some(Trouble::Answer(status, text, retry_after)) => {
            let kind = if text.starts_with('<') {
                "text/html"
            } else {
                "application/json"
            };
            let retry = retry_after
                .as_ref()
                .map(|r| format!("Retry-After: {r}\r\n"))
                .unwrap_or_default();
            write!(
                client,
                "HTTP/1.1 {status} Trouble\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{retry}Connection: close\r\n\r\n{text}",
                text.len()
            )?;
            return Ok(());
        }
        Some(Trouble::Delay(d)) => std::thread::sleep(*d),
        Some(Trouble::Truncate | Trouble::SlowAnswer(_) | Trouble::Replay) | None => {}
    }
    let forward = || -> std::io::Result<(String, Vec<u8>)> {
        let mut upstream = TcpStream::connect(target)?;
        upstream.write_all(closing(&head).as_bytes())?;
        upstream.write_all(&body)?;
        read_message(&mut BufReader::new(&upstream))
    };
    let (mut answer_head, mut answer_body) = forward()?;
    if matches!(trouble, Some(Trouble::Replay)) {
        (answer_head, answer_body) = forward()?;
    }
    if let Some(Trouble::SlowAnswer(d)) = trouble {
        std::thread::sleep(d);
    }
    client.write_all(closing(&answer_head).as_bytes())?;
    if matches!(trouble, Some(Trouble::Truncate)) {
        client.write_all(&answer_body[..answer_body.len() / 2])?;
    } else {
        client.write_all(&answer_body)?;
    }
    Ok(())
}
