//! Notifications: a real command and a real local webhook receiver.

use crate::support::Env;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

/// A webhook receiver on 127.0.0.1 that keeps every body it is sent.
fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            kept.lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap());
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
    });
    (url, bodies)
}

fn events(env: &Env) -> Vec<serde_json::Value> {
    std::fs::read_to_string(env.root().join("events.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sent_once_not_repeated_within_repeat_and_sent_again_after() {
    let env = Env::new();
    let (url, hooks) = receiver();
    let log = env.root().join("events.jsonl");
    env.write_config(&format!(
        "[notify]\ncommand = \"cat >> '{}'; echo >> '{}'\"\nwebhook = \"{url}\"\nrepeat = \"3s\"\n",
        log.display(),
        log.display()
    ));
    env.add(
        "soon",
        "linkedin",
        r#"{"access_token":"t","expires_in":90000}"#,
    );
    env.add("fine", "x", r#"{"access_token":"t","expires_in":8640000}"#);
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'password_changed' WHERE id = 'broken'");

    env.run(&["check"]).code(3);
    let sent = events(&env);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let broken = sent
        .iter()
        .find(|e| e["profile"]["id"] == "broken")
        .unwrap();
    assert_eq!(broken["status"], "reauth_required");
    assert_eq!(broken["reason"], "password_changed");
    assert_eq!(broken["fix"], "sbctl reauth broken");
    assert_eq!(
        broken["message"],
        "broken: Reauth required: password changed"
    );
    assert!(sent
        .iter()
        .any(|e| e["profile"]["id"] == "soon" && e["status"] == "expiring"));
    assert_eq!(
        hooks.lock().unwrap().len(),
        2,
        "the webhook got the same events"
    );

    env.run(&["check"]).code(3);
    assert_eq!(events(&env).len(), 2, "not repeated within `repeat`");
    assert_eq!(hooks.lock().unwrap().len(), 2);

    std::thread::sleep(std::time::Duration::from_millis(3100));
    env.run(&["check"]).code(3);
    assert_eq!(events(&env).len(), 4, "sent again after `repeat`");
    assert_eq!(hooks.lock().unwrap().len(), 4);
}

#[test]
fn a_failing_notifier_is_reported_but_changes_nothing_else() {
    let env = Env::new();
    env.write_config(
        "[notify]\ncommand = \"exit 7\"\nwebhook = \"http://127.0.0.1:9/nothing-listens\"\n",
    );
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    env.run(&["check"])
        .code(3)
        .stderr_has("warning: broken: notify command failed (it exited with exit status: 7)")
        .stderr_has("warning: broken: notify webhook failed");
    // Nothing was sent, so it is tried again next time.
    env.run(&["check"])
        .code(3)
        .stderr_has("notify command failed");
}
