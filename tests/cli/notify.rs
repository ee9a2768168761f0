//! Notifications: a real command and a real local webhook receiver.

use crate::support::Env;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

/// A webhook receiver on 127.0.0.1 that keeps every body it is sent.
fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    receiver_on(
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        Vec::new(),
    )
}

/// The same on `listener`, first answering with `troubles` (status, Retry-After) in
/// turn (those bodies are not kept), then 204.
fn receiver_on(
    listener: std::net::TcpListener,
    troubles: Vec<(u16, &'static str)>,
) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let troubles = Mutex::new(std::collections::VecDeque::from(troubles));
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
            if let Some((status, retry_after)) = troubles.lock().unwrap().pop_front() {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Busy\r\nRetry-After: {retry_after}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                continue;
            }
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
    // One event per profile, as before digests.
    env.write_config(&format!(
        "[notify]\ndigest = false\ncommand = \"cat >> '{}'; echo >> '{}'\"\nwebhook = \"{url}\"\nrepeat = \"3s\"\n",
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
        "[notify]\ncommand = \"echo 'mail: no route to relay' >&2; exit 7\"\nwebhook = \"http://127.0.0.1:9/nothing-listens\"\n",
    );
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    env.run(&["check"])
        .code(3)
        .stderr_has("warning: notify command failed (it exited with exit status: 7: mail: no route to relay); 1 notification will be tried again on the next run")
        .stderr_has("warning: notify webhook failed");
    // Nothing was sent, so it is tried again next time.
    env.run(&["check"])
        .code(3)
        .stderr_has("notify command failed");
}

/// Profiles that need a person: two Facebook Pages whose login changed its password, an
/// X account whose access was revoked, and a LinkedIn token about to expire.
fn broken_fleet(env: &Env) {
    for id in ["bakery", "cafe"] {
        env.add(id, "facebook", "t");
    }
    env.add("acme-x", "x", "t");
    env.add(
        "soon",
        "linkedin",
        r#"{"access_token":"t","expires_in":90000}"#,
    );
    env.sql(
        "UPDATE profiles SET reauth_reason = 'password_changed' WHERE network = 'facebook';
         UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'acme-x';",
    );
}

#[test]
fn one_digest_per_run_groups_what_is_news() {
    let env = Env::new();
    let log = env.root().join("events.jsonl");
    let runs = env.root().join("runs");
    env.write_config(&format!(
        "[notify]\ncommand = \"echo run >> '{}'; cat >> '{}'; echo >> '{}'\"\n",
        runs.display(),
        log.display(),
        log.display()
    ));
    broken_fleet(&env);
    env.run(&["check"]).code(3);
    assert_eq!(
        std::fs::read_to_string(&runs).unwrap().lines().count(),
        1,
        "one command run"
    );
    let sent = events(&env);
    assert_eq!(sent.len(), 1);
    let digest = &sent[0];
    assert_eq!(digest["event"], "profile_needs_attention");
    assert_eq!(digest["count"], 4);
    let ids: Vec<&str> = digest["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme-x", "bakery", "cafe", "soon"]);
    let summary = digest["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("4 profiles need attention\n"),
        "{summary}"
    );
    assert!(
        summary.contains("2 × need re-authorization, password changed (facebook ×2): sbctl reauth bakery; sbctl reauth cafe"),
        "{summary}"
    );
    assert!(
        summary.contains("1 × need re-authorization, access revoked (x ×1): sbctl reauth acme-x"),
        "{summary}"
    );
    assert!(summary.contains("1 × expiring"), "{summary}");
    assert_eq!(digest["profiles"][1]["fix"], "sbctl reauth bakery");
    // Nothing new: no event. A new problem: a digest of just that.
    env.run(&["check"]).code(3);
    assert_eq!(events(&env).len(), 1);
    env.add("late", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'late'");
    env.run(&["check"]).code(3);
    let sent = events(&env);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["count"], 1);
    assert_eq!(sent[1]["profiles"][0]["profile"]["id"], "late");
}

#[test]
fn a_busy_webhook_is_retried_after_its_retry_after() {
    let env = Env::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (url, hooks) = receiver_on(listener, vec![(429, "1"), (503, "1")]);
    env.write_config(&format!("[notify]\nwebhook = \"{url}\"\n"));
    broken_fleet(&env);
    let started = std::time::Instant::now();
    let run = env.run(&["check"]);
    run.code(3);
    assert!(
        !run.stderr.contains("notify webhook failed"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "Retry-After waited"
    );
    assert_eq!(hooks.lock().unwrap().len(), 1);
    assert_eq!(hooks.lock().unwrap()[0]["count"], 4);
}

#[test]
fn a_webhook_down_for_a_run_gets_it_next_run_and_nothing_twice() {
    let env = Env::new();
    // A port nobody listens on yet.
    let port = crate::support::free_port();
    let log = env.root().join("events.jsonl");
    env.write_config(&format!(
        "[notify]\ncommand = \"cat >> '{}'; echo >> '{}'\"\nwebhook = \"http://127.0.0.1:{port}/hook\"\n",
        log.display(),
        log.display()
    ));
    broken_fleet(&env);
    let run = env.run(&["check"]);
    run.code(3);
    assert_eq!(
        run.stderr.matches("notify webhook failed").count(),
        1,
        "reported once: {}",
        run.stderr
    );
    run.stderr_has("4 notifications will be tried again on the next run");
    assert_eq!(events(&env).len(), 1, "the command delivered");
    // The webhook is back: it gets what it missed; the command gets nothing twice.
    let (_, hooks) = receiver_on(
        std::net::TcpListener::bind(("127.0.0.1", port)).unwrap(),
        Vec::new(),
    );
    let run = env.run(&["check"]);
    run.code(3);
    assert!(!run.stderr.contains("notify"), "{}", run.stderr);
    assert_eq!(hooks.lock().unwrap().len(), 1);
    assert_eq!(hooks.lock().unwrap()[0]["count"], 4);
    assert_eq!(events(&env).len(), 1);
    env.run(&["check"]).code(3);
    assert_eq!(hooks.lock().unwrap().len(), 1, "nothing twice");
}

/// Runs `check` (with `more` arguments) whose notify command hangs: the command is
/// stopped once, and the exit code is the profiles'. Returns the run and its time.
fn check_with_a_hanging_command(
    env: &Env,
    more: &[&str],
) -> (crate::support::Run, std::time::Duration) {
    let started = std::time::Instant::now();
    let run = env.run(&[&["check"], more].concat());
    let took = started.elapsed();
    run.code(3);
    assert_eq!(
        run.stderr.matches("notify command failed").count(),
        1,
        "{}",
        run.stderr
    );
    run.stderr_has("it ran longer than 30s and was stopped");
    (run, took)
}

#[test]
fn a_hanging_command_is_stopped_once_and_changes_no_exit_code() {
    let env = Env::new();
    env.write_config("[notify]\ndigest = false\ncommand = \"sleep 100\"\n");
    broken_fleet(&env);
    let (_, took) = check_with_a_hanging_command(&env, &[]);
    assert!(
        took < std::time::Duration::from_secs(45),
        "not once per profile"
    );
}

#[test]
fn a_command_that_never_reads_a_large_digest_does_not_hang_the_run() {
    let env = Env::new();
    env.write_config("[notify]\ncommand = \"sleep 100\"\n");
    // 300 profiles needing re-authorization: one digest of several pipes' worth (a pipe
    // holds 64 KiB), which a command that does not read would never take.
    let lines: String = (0..300)
        .map(|i| format!("{{\"id\":\"profile-{i}\",\"network\":\"x\",\"token\":{{\"access_token\":\"t\"}}}}\n"))
        .collect();
    env.run_with_stdin(&["profiles", "import", "-"], &lines)
        .success();
    env.sql("UPDATE profiles SET reauth_reason = 'revoked'");
    let (run, took) = check_with_a_hanging_command(&env, &["--json"]);
    let digest = run.stdout.len();
    assert!(
        digest > 64 * 1024,
        "the event outgrows a pipe: {digest} bytes"
    );
    assert!(
        took < std::time::Duration::from_secs(40),
        "the 30 s include writing the event: {took:?}"
    );
}

#[test]
fn a_slow_failing_webhook_is_given_up_within_its_30_seconds() {
    let env = Env::new();
    // A target that answers 503 after 20 s, each time: a second attempt would end
    // past the budget unless the budget bounds the attempt too.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = attempts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(10) {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_secs(20));
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    env.write_config(&format!("[notify]\nwebhook = \"{url}\"\n"));
    broken_fleet(&env);
    let started = std::time::Instant::now();
    let run = env.run(&["check"]);
    let took = started.elapsed();
    run.code(3).stderr_has("notify webhook failed");
    assert!(
        took > std::time::Duration::from_secs(25) && took < std::time::Duration::from_secs(33),
        "the attempts ended within the 30 s: {took:?}"
    );
    assert_eq!(
        attempts.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "a second attempt, cut short by the budget"
    );
}

/// A command that appends each event to `events.jsonl`, and more `[notify]` settings.
fn notify_config(env: &Env, more: &str) {
    let log = env.root().join("events.jsonl");
    env.write_config(&format!(
        "[notify]\ndigest = false\ncommand = \"cat >> '{}'; echo >> '{}'\"\n{more}\n",
        log.display(),
        log.display()
    ));
}

#[test]
fn reminders_come_once_per_stage_as_the_deadline_nears() {
    let env = Env::new();
    notify_config(&env, "reminders = [\"14d\", \"7d\", \"1d\"]");
    // A LinkedIn token without a refresh token: its expiry is the deadline.
    env.add(
        "li",
        "linkedin",
        r#"{"access_token":"t","expires_in":5184000}"#,
    );
    let deadline_in = |secs: i64| {
        env.sql(&format!(
            "UPDATE profiles SET expires_at = strftime('%s','now') + {secs} WHERE id = 'li'"
        ))
    };
    let stages = |env: &Env| -> Vec<String> {
        events(env)
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["event"].as_str().unwrap(),
                    e["stage"].as_str().unwrap_or("-")
                )
            })
            .collect()
    };
    env.run(&["doctor"])
        .stdout_has("command, repeat 24h, one event per profile, reminders at 14d, 7d, 1d");
    env.run(&["check"]).success();
    assert!(events(&env).is_empty(), "60 days away: nothing yet");
    deadline_in(13 * 86_400);
    env.run(&["check"]).success();
    env.run(&["check"]).success();
    assert_eq!(stages(&env), ["reminder:14d"], "once per stage");
    deadline_in(6 * 86_400);
    env.run(&["check"]).code(5);
    deadline_in(12 * 3600);
    env.run(&["check"]).code(5);
    env.run(&["check"]).code(5);
    assert_eq!(stages(&env), ["reminder:14d", "reminder:7d", "reminder:1d"]);
    let last = &events(&env)[2];
    assert_eq!(last["fix"], "sbctl reauth li");
    assert!(last["message"]
        .as_str()
        .unwrap()
        .starts_with("li: re-authorize by "));
    // Re-authorized (a new 60-day token): the next approach is news again.
    deadline_in(60 * 86_400);
    env.run(&["check"]).success();
    deadline_in(13 * 86_400);
    env.run(&["check"]).success();
    assert_eq!(stages(&env).len(), 4);
}

#[test]
fn a_webhook_that_may_never_be_used_is_said_so_not_promised_for_later() {
    let env = Env::new();
    env.write_config("[notify]\nwebhook = \"http://hooks.example.com/sbctl\"\n");
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    let run = env.run(&["check"]);
    run.code(3).stderr_has(
        "warning: notify webhook cannot be used: webhook `http://hooks.example.com/sbctl` must use https (plain http only on 127.0.0.1); 1 notification not sent (fix it in [notify], see `sbctl doctor`)",
    );
    assert!(!run.stderr.contains("next run"), "{}", run.stderr);
}

#[test]
fn a_digest_of_recoveries_only_is_a_recovered_event() {
    let env = Env::new();
    let log = env.root().join("events.jsonl");
    env.write_config(&format!(
        "[notify]\ncommand = \"cat >> '{}'; echo >> '{}'\"\nescalate_after = \"1h\"\nevents = [\"profile_needs_attention\", \"renewal_failing\", \"recovered\"]\n",
        log.display(),
        log.display()
    ));
    for id in ["a", "b"] {
        env.add_renewable(id);
    }
    env.sql("UPDATE profiles SET refresh_failed = 1, renewal_failures = 3, failing_since = strftime('%s','now') - 7200");
    env.run(&["check"]).code(4);
    env.sql("UPDATE profiles SET refresh_failed = 0, renewal_failures = 0, failing_since = NULL");
    env.run(&["check"]).success();
    let sent = events(&env);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["event"], "renewal_failing");
    assert_eq!(
        sent[1]["event"], "recovered",
        "good news is not a call for attention"
    );
    assert_eq!(sent[1]["count"], 2);
}

#[test]
fn renewals_failing_for_long_escalate_and_recovery_is_told_when_asked() {
    let env = Env::new();
    notify_config(
        &env,
        "escalate_after = \"1h\"\nevents = [\"profile_needs_attention\", \"renewal_failing\", \"recovered\"]",
    );
    env.add_renewable("flaky");
    // Failing, but not for long: nothing yet.
    env.sql("UPDATE profiles SET refresh_failed = 1, renewal_failures = 1, failing_since = strftime('%s','now') - 60, last_error = 'HTTP 503' WHERE id = 'flaky'");
    env.run(&["check"]).code(4);
    assert!(events(&env).is_empty());
    // Failing for two hours: escalated, once.
    env.sql("UPDATE profiles SET failing_since = strftime('%s','now') - 7200 WHERE id = 'flaky'");
    env.run(&["check"]).code(4);
    env.run(&["check"]).code(4);
    let sent = events(&env);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["event"], "renewal_failing");
    assert_eq!(sent[0]["fix"], "sbctl refresh flaky");
    // Three failures in a row escalate too, however recent.
    env.add_renewable("flaky2");
    env.sql("UPDATE profiles SET refresh_failed = 1, renewal_failures = 3, failing_since = strftime('%s','now') WHERE id = 'flaky2'");
    env.run(&["check"]).code(4);
    assert_eq!(events(&env).len(), 2);
    // Working again: `recovered`, once, then forgotten.
    env.sql("UPDATE profiles SET refresh_failed = 0, renewal_failures = 0, failing_since = NULL WHERE id = 'flaky'");
    env.run(&["check"]).code(4);
    env.run(&["check"]).code(4);
    let sent = events(&env);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[2]["event"], "recovered");
    assert_eq!(sent[2]["message"], "flaky: working again");
    assert!(sent[2]["fix"].is_null());
}
