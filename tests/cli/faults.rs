//! Renewal of many profiles under faults between sbctl and the network (a fault proxy
//! in front of the X double, whose refresh tokens are single-use): the right exit code
//! and statuses, no token lost, and bounded time; and under a fault of sbctl's own.

use crate::support::doubles::{scene_through_proxy, Dead, Scene};
use crate::support::proxy::Trouble;
use crate::support::Run;
use serde_json::json;
use std::time::{Duration, Instant};

const TOKEN_PATH: &str = "/2/oauth2/token";

/// `n` X profiles whose tokens the double issued, imported in one go; requests time
/// out after 2 s.
fn fleet(n: usize) -> Scene {
    let s = scene_through_proxy("x", Vec::new());
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    s.env
        .write_config(&format!("http_timeout = \"2s\"\n{config}"));
    let scopes: Vec<String> = ["tweet.read", "users.read", "offline.access"]
        .map(String::from)
        .to_vec();
    let mut lines = String::new();
    for i in 0..n {
        let mut st = s.double.state();
        let access = st.issue("at-", "access", "u-ann", None, Some(7_200), &scopes);
        let refresh = st.issue("rt-", "refresh", "u-ann", None, None, &scopes);
        lines.push_str(&json!({"id": format!("p{i:02}"), "network": "x", "account_id": "u-ann",
            "token": {"access_token": access, "refresh_token": refresh, "expires_in": 7_200, "scope": scopes.join(" ")}}).to_string());
        lines.push('\n');
    }
    s.env
        .run_with_stdin(&["profiles", "import", "-"], &lines)
        .success();
    s
}

fn proxy(s: &Scene) -> &crate::support::proxy::Proxy {
    s.proxy.as_ref().unwrap()
}

fn refresh_all(s: &Scene) -> (Run, Duration) {
    let started = Instant::now();
    let run = s
        .env
        .run(&["refresh", "--all", "--force", "--concurrency", "8"]);
    (run, started.elapsed())
}

/// Every profile's stored refresh token is one the network still honours.
fn every_token_works(s: &Scene, n: usize) {
    let state = s.double.state();
    for i in 0..n {
        let rt = s.tokens(&format!("p{i:02}"))["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            state.live(Some(&rt), &["refresh"]).is_ok(),
            "p{i:02}: its refresh token no longer works"
        );
    }
}

fn statuses(s: &Scene) -> Vec<String> {
    let list = s.env.run(&["profiles", "list", "--json"]).json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn delays_and_rate_limits_are_waited_out() {
    let n = 12;
    let s = fleet(n);
    proxy(&s).push(
        TOKEN_PATH,
        Trouble::Answer(
            429,
            r#"{"title":"Too Many Requests","status":429}"#.into(),
            Some("1".into()),
        ),
        4,
    );
    proxy(&s).push(TOKEN_PATH, Trouble::Delay(Duration::from_millis(300)), n);
    let (run, took) = refresh_all(&s);
    run.success()
        .stdout_has(&format!("{n} profiles: {n} renewed"));
    assert!(took < Duration::from_secs(30), "{took:?}");
    every_token_works(&s, n);
    assert!(statuses(&s).iter().all(|st| st == "ok"));
}

#[test]
fn server_errors_and_html_pages_leave_every_token_working() {
    let n = 8;
    let s = fleet(n);
    for trouble in [
        Trouble::Answer(
            503,
            r#"{"title":"Service Unavailable","status":503}"#.into(),
            None,
        ),
        Trouble::Answer(200, "<html><body>Bad gateway</body></html>".into(), None),
        Trouble::Answer(502, "<html><body>Bad gateway</body></html>".into(), None),
    ] {
        // Every attempt of every profile meets it.
        proxy(&s).push(TOKEN_PATH, trouble.clone(), 4 * n);
        let (run, took) = refresh_all(&s);
        run.code(4).stdout_has(&format!("{n} failed"));
        assert!(took < Duration::from_secs(40), "{trouble:?}: {took:?}");
        assert!(
            statuses(&s).iter().all(|st| st == "refresh_failed"),
            "{trouble:?}"
        );
        every_token_works(&s, n);
        proxy(&s).clear();
    }
    // The next run, with the network back, heals them all.
    let (run, _) = refresh_all(&s);
    run.success().stdout_has(&format!("{n} renewed"));
    assert!(statuses(&s).iter().all(|st| st == "ok"));
    every_token_works(&s, n);
}

#[test]
fn resets_and_hangs_end_in_bounded_time() {
    let n = 4;
    let s = fleet(n);
    proxy(&s).push(TOKEN_PATH, Trouble::Reset, 2 * n);
    proxy(&s).push(TOKEN_PATH, Trouble::Hang(Duration::from_secs(5)), 2 * n);
    let (run, took) = refresh_all(&s);
    run.code(4);
    // 4 attempts of at most 2 s each, with backoff between them, under a minute.
    assert!(took < Duration::from_secs(40), "{took:?}");
    // A reset or a hang may have reached X and used a token up: the profiles say they
    // failed for a passing reason, and those whose token did survive renew next time.
    proxy(&s).clear();
    let (run, _) = refresh_all(&s);
    run.success().stdout_has(&format!("{n} renewed"));
    every_token_works(&s, n);
}

#[test]
fn an_answer_cut_off_after_rotation_is_caught_never_reported_ok() {
    let s = fleet(1);
    // X rotates the refresh token, and the answer with the new one breaks off.
    proxy(&s).push(TOKEN_PATH, Trouble::Truncate, 1);
    let (run, _) = refresh_all(&s);
    run.code(3);
    let p = s.show("p00");
    assert_eq!(
        (p["status"].as_str(), p["reason"].as_str()),
        (Some("reauth_required"), Some("invalid")),
        "{p}"
    );
    assert!(p["last_error"].as_str().unwrap().contains("cut off"), "{p}");
    let used = s
        .double
        .state()
        .tokens
        .values()
        .filter(|t| t.dead == Some(Dead::Used))
        .count();
    assert_eq!(
        used, 1,
        "the old refresh token was used once, by the cut-off request"
    );
}

/// Holds SQLite's write lock on the database until dropped, as a slow writer would.
struct WriteLock(rusqlite::Connection);

impl WriteLock {
    fn take(s: &Scene) -> WriteLock {
        let conn = rusqlite::Connection::open(s.env.db_path()).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        WriteLock(conn)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// Waits until `done` holds, at most 20 s.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn integrity(s: &Scene) {
    let conn = rusqlite::Connection::open(s.env.db_path()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

fn stored_refresh(s: &Scene, id: &str) -> Option<String> {
    s.tokens_gone_or(id)
        .and_then(|v| serde_json::from_str::<serde_json::Value>(v.as_str()?).ok())
        .and_then(|t| t["refresh_token"].as_str().map(str::to_owned))
}

#[test]
fn killed_between_the_secret_write_and_the_row_update_heals_next_run() {
    let s = fleet(1);
    let before = stored_refresh(&s, "p00").unwrap();
    // The answer is held back long enough to take the database's write lock while the
    // request is out; sbctl then stores the rotated token and blocks on the row.
    proxy(&s).push(TOKEN_PATH, Trouble::Delay(Duration::from_millis(700)), 1);
    let mut child = s.env.spawn_silent(&["refresh", "p00", "--force"]);
    wait_until("the renewal is marked in flight", || {
        s.env
            .scalar("SELECT count(*) FROM profiles WHERE renewal_started_at IS NOT NULL")
            == 1
    });
    let lock = WriteLock::take(&s);
    wait_until("the rotated token is stored", || {
        stored_refresh(&s, "p00").is_some_and(|t| t != before)
    });
    child.kill().unwrap(); // SIGKILL, between the secret write and the row update
    child.wait().unwrap();
    drop(lock);
    integrity(&s);
    // The row still says a renewal was out; the next run renews with the stored token.
    s.env
        .run(&["refresh", "--all"])
        .success()
        .stdout_has("1 renewed");
    every_token_works(&s, 1);
    assert_eq!(s.show("p00")["status"], "ok");
}

#[test]
fn a_killed_reauth_changes_nothing_or_keeps_the_profile_marked() {
    let s = scene_through_proxy("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.double.state().kill_user("u-ann", Dead::Revoked);
    s.env.run(&["check", "--online"]).code(3);
    let reauth = || s.env.spawn_silent(&["reauth", "acme", "--timeout", "30s"]);
    let marked = || {
        // X's identity call cannot tell revoked from invalid (see the networks tests).
        let p = s.show("acme");
        assert_eq!(
            (p["status"].as_str(), p["reason"].as_str()),
            (Some("reauth_required"), Some("invalid")),
            "{p}"
        );
    };

    // 1. Killed while the code exchange is out (the network has issued the tokens,
    //    its answer is held back): nothing stored, still marked.
    let before = stored_refresh(&s, "acme");
    let exchanged = s.double.calls(TOKEN_PATH);
    proxy(&s).push(TOKEN_PATH, Trouble::SlowAnswer(Duration::from_secs(3)), 1);
    let mut child = reauth();
    wait_until("the code exchange is out", || {
        s.double.calls(TOKEN_PATH) > exchanged
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(stored_refresh(&s, "acme"), before);
    marked();
    integrity(&s);

    // 2. Killed after the new tokens are stored, before the row changes: the profile
    //    stays marked (never `ok` on a row that was not updated); a reauth fixes it.
    //    After the code exchange the reauth holds the profile's renewal lease; the
    //    database is locked while the identity call that follows is held back.
    proxy(&s).push("/2/users/me", Trouble::Delay(Duration::from_millis(700)), 1);
    let mut child = reauth();
    wait_until("the reauth holds the lease", || {
        s.env
            .scalar("SELECT count(*) FROM leases WHERE profile_id = 'acme'")
            == 1
    });
    let lock = WriteLock::take(&s);
    wait_until("the new tokens are stored", || {
        stored_refresh(&s, "acme") != before
    });
    child.kill().unwrap();
    child.wait().unwrap();
    drop(lock);
    integrity(&s);
    marked();
    s.env.run(&["reauth", "acme", "--timeout", "30s"]).success();
    assert_eq!(s.show("acme")["status"], "ok");
}

#[test]
fn parallel_refreshes_tokens_adds_and_removes_lose_nothing() {
    let n = 10;
    let s = fleet(n);
    let mut procs = Vec::new();
    let spawn = |args: &[&str]| s.env.spawn_piped(args);
    for _ in 0..3 {
        procs.push(spawn(&[
            "refresh",
            "--all",
            "--force",
            "--concurrency",
            "4",
        ]));
    }
    for i in 0..4 {
        // Tokens live 2 h: asking for 3 h renews them, racing the refresh runs.
        procs.push(spawn(&["token", &format!("p{i:02}"), "--min-valid", "3h"]));
    }
    procs.push(spawn(&["profiles", "remove", "p09", "--yes"]));
    // Tokens the double issued: a concurrent `refresh --all` may validate them (they
    // have no expiry), and a made-up token would rightly read as rejected.
    let added: Vec<String> = (0..3)
        .map(|_| {
            s.double
                .state()
                .issue("at-", "access", "u-ann", None, None, &[])
        })
        .collect();
    let mut adds = Vec::new();
    for (i, token) in added.iter().enumerate() {
        let mut child = s
            .env
            .std_command(&[
                "profiles",
                "add",
                &format!("new{i}"),
                "--network",
                "x",
                "--with-token",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        write!(child.stdin.take().unwrap(), "{token}").unwrap();
        adds.push(child);
    }
    procs.extend(adds);
    for p in procs {
        let out = p.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(
            !stderr.contains("locked") && !stderr.contains("busy"),
            "{stderr}"
        );
    }
    assert_eq!(
        s.double.state().reused,
        0,
        "no refresh token was used twice"
    );
    every_token_works(&s, n - 1);
    let list = s.env.run(&["profiles", "list", "--json"]).json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), n - 1 + 3, "{ids:?}");
    assert!(!ids.contains(&"p09"));
    for (i, token) in added.iter().enumerate() {
        assert_eq!(
            s.env.run(&["token", &format!("new{i}")]).stdout,
            format!("{token}\n")
        );
    }
    assert!(s.tokens_gone_or("p09").is_none());
    integrity(&s);
}

/// The peak resident memory of a process, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_callback_flood_and_oversized_requests_do_not_stop_the_sign_in() {
    use std::io::{BufRead, Read, Write};
    let s = crate::support::doubles::scene("x", Vec::new());
    let port = s.redirect_port();
    let mut child = s.env.spawn_piped(&[
        "profiles",
        "add",
        "acme",
        "--network",
        "x",
        "--no-browser",
        "--timeout",
        "60s",
    ]);
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = String::new();
    while url.is_empty() {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "sbctl ended early"
        );
        if line.trim_start().starts_with("http://") {
            url = line.trim().to_owned();
        }
    }
    // sbctl's notices go on while we flood it: read them as they come.
    let notices = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        rest
    });
    let send = |request: &[u8]| -> usize {
        let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            return 0;
        };
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = c.write_all(request);
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        answer.len()
    };
    let started = Instant::now();
    let mut answered = 0;
    // 1,000 forged callbacks, each answered with an error page while the flow goes on.
    for i in 0..1000 {
        let r = format!("GET /callback?code=c{i}&state=forged{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        answered += usize::from(send(r.as_bytes()) > 0);
    }
    // Oversized: a 1 MiB URL, 32 MiB of headers, a 16 MiB body, and garbage.
    let long_url = format!(
        "GET /callback?state={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let mut oversized = vec![send(long_url.as_bytes())];
    let mut headers = String::from("GET /callback HTTP/1.1\r\nHost: x\r\n");
    for i in 0..32_768 {
        headers.push_str(&format!("X-Pad-{i}: {}\r\n", "b".repeat(1000)));
    }
    headers.push_str("Connection: close\r\n\r\n");
    oversized.push(send(headers.as_bytes()));
    let body = format!(
        "POST /callback HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        16 << 20
    );
    let mut big = body.into_bytes();
    big.extend(std::iter::repeat_n(b'c', 16 << 20));
    oversized.push(send(&big));
    send(b"\x00\x01\x02 not http at all\r\n\r\n");
    assert_eq!(answered, 1000, "forged callbacks answered");
    assert!(
        oversized.iter().all(|&n| n > 0),
        "each oversized request is answered (431, 405): {oversized:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    let peak = peak_kib(child.id());
    assert!(
        peak < 32 * 1024,
        "sbctl's peak memory under the flood: {peak} KiB"
    );
    // The real sign-in still completes: follow the authorize URL as a browser would.
    let status = std::process::Command::new("curl")
        .args([
            "--silent",
            "--max-time",
            "30",
            "--output",
            "/dev/null",
            "--location",
            &url,
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let done = child.wait().unwrap();
    let rest = notices.join().unwrap();
    assert!(done.success(), "{rest}");
    assert!(rest.contains("acme: connected"), "{rest}");
    let notices = rest.lines().filter(|l| l.starts_with("warning:")).count();
    assert!(
        (1..=4).contains(&notices),
        "at most four notices of requests turned away: {rest}"
    );
}

/// Sends `signal` to a running sbctl.
fn signal(child: &std::process::Child, signal: i32) {
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

/// Every profile's stored refresh token, by id.
fn stored_refresh_tokens(s: &Scene, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| stored_refresh(s, &format!("p{i:02}")).unwrap())
        .collect()
}

/// Renewals the double has answered (its token endpoint's calls).
fn answered(s: &Scene) -> usize {
    s.double.calls(TOKEN_PATH)
}

#[test]
fn an_interrupted_refresh_stores_every_renewal_in_flight() {
    let n = 40;
    // Signalled once the network has rotated the first one, eight and sixteen tokens:
    // each of those renewals is in flight (its answer held back) when the signal comes.
    for (sig, code, rotated) in [
        (libc::SIGTERM, 143, 1),
        (libc::SIGINT, 130, 8),
        (libc::SIGTERM, 143, 16),
    ] {
        let s = fleet(n);
        let before = stored_refresh_tokens(&s, n);
        // Every answer comes 0.6 s after X has rotated the refresh token (well inside
        // the fleet's 2 s http_timeout, even on a loaded machine).
        proxy(&s).push(
            TOKEN_PATH,
            Trouble::SlowAnswer(Duration::from_millis(600)),
            n,
        );
        let child = s
            .env
            .spawn_piped(&["refresh", "--all", "--force", "--concurrency", "8"]);
        wait_until("the network rotated tokens", || answered(&s) >= rotated);
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains("interrupted: "), "{stderr}");
        assert!(
            stderr.contains("in flight were completed and stored"),
            "{stderr}"
        );
        assert_eq!(s.double.state().reused, 0, "no refresh token used twice");
        // Every renewal the network answered was stored: as many new refresh tokens
        // as rotations, and not one grant lost.
        let after = stored_refresh_tokens(&s, n);
        let renewed = before.iter().zip(&after).filter(|(b, a)| b != a).count();
        assert!(renewed >= rotated, "{renewed} stored, {rotated} rotated");
        assert_eq!(renewed, answered(&s), "every rotation stored, no other");
        every_token_works(&s, n);
        assert!(
            statuses(&s).iter().all(|st| st == "ok"),
            "{:?}",
            statuses(&s)
        );
        integrity(&s);
        // The next run finishes the job.
        s.env
            .run(&["refresh", "--all", "--force", "--concurrency", "8"])
            .success();
        every_token_works(&s, n);
    }
}

#[test]
fn a_second_interrupt_stops_at_once() {
    use std::io::BufRead;
    let n = 16;
    let s = fleet(n);
    let before = stored_refresh_tokens(&s, n);
    proxy(&s).push(TOKEN_PATH, Trouble::SlowAnswer(Duration::from_secs(5)), n);
    let mut child = s
        .env
        .spawn_piped(&["refresh", "--all", "--force", "--concurrency", "4"]);
    // Four renewals out, each rotated at the network, their answers held back.
    wait_until("four renewals are in flight", || answered(&s) >= 4);
    let started = Instant::now();
    signal(&child, libc::SIGINT);
    // The first interrupt is taken (it says so at once) before the second comes.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("stopping: finishing the requests in flight") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "{said}");
        said.push_str(&line);
    }
    signal(&child, libc::SIGINT);
    let status = child.wait().unwrap();
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "it waited");
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(said.contains("renewals in flight may be lost"), "{said}");
    // The four rotated at the network were lost (their answers never came); the next
    // run says so of exactly those, and renews the rest: never `ok` on a used-up token.
    assert_eq!(answered(&s), 4, "no renewal started after the interrupt");
    assert_eq!(stored_refresh_tokens(&s, n), before, "nothing stored");
    proxy(&s).clear();
    let run = s.env.run(&["refresh", "--all", "--force"]);
    run.code(3);
    let list = s.env.run(&["profiles", "list", "--json"]).json();
    let state = s.double.state();
    let mut lost = 0;
    for p in list.as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let rt = s.tokens(id)["refresh_token"].as_str().unwrap().to_owned();
        if state.live(Some(&rt), &["refresh"]).is_err() {
            lost += 1;
            assert_eq!(p["status"], "reauth_required", "{p}");
        } else {
            assert_eq!(p["status"], "ok", "{p}");
        }
    }
    assert_eq!(lost, 4, "the renewals in flight, and only they, were lost");
}

#[test]
fn an_interrupted_token_stores_its_renewal() {
    let s = fleet(1);
    let before = stored_refresh(&s, "p00").unwrap();
    // Well within the fleet's 2 s http_timeout.
    proxy(&s).push(
        TOKEN_PATH,
        Trouble::SlowAnswer(Duration::from_millis(900)),
        1,
    );
    let child = s.env.spawn_piped(&["token", "p00", "--min-valid", "3h"]);
    // The network has rotated the token; its answer is on the way.
    wait_until("the renewal is in flight", || answered(&s) == 1);
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    assert!(out.stdout.is_empty(), "no token printed after a stop");
    assert_eq!(s.double.state().reused, 0);
    let after = stored_refresh(&s, "p00").unwrap();
    assert_ne!(after, before, "the renewal in flight was stored");
    every_token_works(&s, 1);
    assert_eq!(s.show("p00")["status"], "ok");
}

#[test]
fn a_discovery_that_is_down_is_an_outage_not_a_configuration_error() {
    let s = scene_through_proxy("identityserver", Vec::new());
    let p = proxy(&s);
    // `issuer` only: every endpoint comes from discovery, through the proxy.
    let config: String = std::fs::read_to_string(s.env.config_path())
        .unwrap()
        .lines()
        .filter(|l| !l.contains("_url = \""))
        .map(|l| format!("{l}\n"))
        .collect();
    s.env
        .write_config(&format!("http_timeout = \"2s\"\n{config}"));
    // A profile whose access token has expired, with a refresh token the server honours.
    let scopes: Vec<String> = ["openid", "offline_access"].map(String::from).to_vec();
    let refresh = {
        let mut st = s.double.state();
        st.issue("rt-", "refresh", "u-ann", None, Some(86_400), &scopes)
    };
    let record = json!({"id": "corp", "network": "identityserver", "account_id": "u-ann",
        "token": {"access_token": "at-old", "refresh_token": refresh, "expires_in": 0,
        "scope": "openid offline_access"}});
    s.env
        .run_with_stdin(&["profiles", "import", "-"], &format!("{record}\n"))
        .success();
    let discovery = "/.well-known/openid-configuration";

    // Down (connections reset, then a 503): a passing failure, retried, exit 4, and
    // nothing says the config is wrong.
    for trouble in [
        Trouble::Reset,
        Trouble::Answer(503, "<h1>Service Unavailable</h1>".into(), None),
    ] {
        p.clear();
        p.push(discovery, trouble, 100);
        for args in [
            &["refresh", "--all"][..],
            &["check", "--online"],
            &["token", "corp"],
        ] {
            let run = s.env.run(args);
            assert_eq!(run.code, 4, "{args:?}:\n{}", run.snapshot());
            let said = format!("{}{}", run.stdout, run.stderr);
            assert!(said.contains("could not be reached"), "{}", run.snapshot());
            assert!(
                !said.contains("provider's configuration"),
                "{}",
                run.snapshot()
            );
        }
        assert_eq!(
            s.double.calls(discovery),
            0,
            "the proxy answered for the server"
        );
    }
    assert_eq!(
        stored_refresh(&s, "corp").as_deref(),
        Some(refresh.as_str())
    );

    // Back: the same run renews, and the document is kept.
    p.clear();
    s.env
        .run(&["refresh", "--all"])
        .success()
        .stdout_has("1 renewed");
    assert_eq!(s.show("corp")["status"], "ok");
    let asked = s.double.calls(discovery);
    assert_eq!(asked, 1, "asked once, then kept");

    // A day later, discovery down again: the kept document serves, nothing stops.
    s.env.sql(&format!(
        "UPDATE meta SET value = json_set(value, '$.fetched_at', {}) WHERE key LIKE 'discovery:%'",
        chrono::Utc::now().timestamp() - 2 * 86_400
    ));
    p.push(discovery, Trouble::Reset, 100);
    s.env
        .run(&["refresh", "--all", "--force"])
        .success()
        .stdout_has("1 renewed");
    p.clear();

    // An answer that is there and wrong is the config's: exit 1, kept document or not.
    p.push(discovery, Trouble::Answer(404, "{}".into(), None), 10);
    s.env
        .run(&["refresh", "--all", "--force"])
        .code(1)
        .stdout_has("failed (HTTP 404); check `issuer`")
        .stderr_has("because of sbctl's or the provider's configuration");
}

#[test]
fn a_fault_of_sbctls_own_files_stops_the_run_before_any_profile() {
    use std::os::unix::fs::PermissionsExt;
    let s = crate::support::doubles::scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    s.add("other", "x", &[]).success();
    let before = s.env.run(&["profiles", "list", "--json"]).json();
    let file = s.env.secrets_path();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = s.env.run(&["refresh", "--all", "--force"]);
    run.code(1)
        .stderr_has("can be read by other users (mode 644)")
        .stderr_has("hint: run `chmod 600");
    assert!(!run.stdout.contains("fix: sbctl refresh"), "{}", run.stdout);
    assert_eq!(
        s.env.run(&["profiles", "list", "--json"]).json(),
        before,
        "no profile's standing changed"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.env
        .run(&["refresh", "--all", "--force"])
        .success()
        .stdout_has("2 renewed");
}
