//! SECURITY.md's promises, each held against the attack that broke it: what another
//! local user, a hostile provider or a careless operator could do.

use crate::support::doubles::scene;
use crate::support::Env;

fn age_key() -> String {
    use age::secrecy::ExposeSecret;
    age::x25519::Identity::generate()
        .to_string()
        .expose_secret()
        .to_owned()
}

/// A script that writes its environment to `out`, then runs `then` with its arguments.
fn env_dumper(env: &Env, name: &str, then: &str) -> (String, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let out = env.root().join(format!("{name}.env"));
    let script = env.root().join(format!("{name}.sh"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\nenv > '{}'\n{then}\n", out.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script.display().to_string(), out)
}

#[test]
fn children_do_not_inherit_secrets() {
    let mut s = scene("x", Vec::new());
    // The key itself and a key file, both: neither name reaches a child.
    let key = age_key();
    let key_file = s.env.root().join("secrets.key");
    std::fs::write(&key_file, &key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    s.env.set("SBCTL_SECRETS_KEY", &key);
    s.env
        .set("SBCTL_SECRETS_KEY_FILE", key_file.to_str().unwrap());
    let (browser, seen_by_browser) = env_dumper(
        &s.env,
        "browser",
        &format!("exec {} \"$1\"", crate::support::follow_page()),
    );
    s.env.set("BROWSER", &format!("{browser} %s"));
    let (notify, seen_by_notify) = env_dumper(&s.env, "notify", "cat > /dev/null");
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    s.env
        .write_config(&format!("[notify]\ncommand = \"{notify}\"\n\n{config}"));
    s.add("acme", "x", &[]).success();
    s.env
        .sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'acme'");
    s.env.run(&["check"]).code(3);
    for seen in [seen_by_browser, seen_by_notify] {
        let text = std::fs::read_to_string(&seen).unwrap();
        assert!(text.contains("PATH="), "{}: {text}", seen.display());
        assert!(!text.contains("SBCTL_CLIENT_SECRET"), "{}", seen.display());
        assert!(!text.contains("SBCTL_SECRETS_KEY"), "{}", seen.display());
        assert!(!text.contains("AGE-SECRET-KEY"), "{}", seen.display());
    }
}

#[test]
fn text_from_a_provider_stays_on_its_line() {
    let s = scene("x", Vec::new());
    s.double.state().users.get_mut("u-ann").unwrap().name =
        "Ann\nevil      x          -         OK".into();
    s.add("acme", "x", &[]).success();
    let list = s.env.run(&["profiles", "list"]);
    list.success();
    assert_eq!(list.stdout.lines().count(), 2, "{}", list.stdout);
    assert!(list.stdout.contains("\\n"), "{}", list.stdout);
    let show = s.env.run(&["profiles", "show", "acme"]);
    assert!(
        !show.stdout.lines().any(|l| l.starts_with("evil")),
        "{}",
        show.stdout
    );

    s.double.fault(
        "/2/oauth2/token",
        400,
        r#"{"error":"invalid_grant","error_description":"gone\nok: all profiles renewed\r\n"}"#,
        None,
    );
    let run = s.env.run(&["refresh", "acme", "--force"]);
    run.code(3);
    for out in [&run.stdout, &run.stderr] {
        assert!(
            !out.lines()
                .any(|l| l.trim_start().starts_with("ok: all profiles")),
            "{out}"
        );
    }
    let check = s.env.run(&["check"]);
    assert!(
        !check.stdout.lines().any(|l| l.starts_with("evil")),
        "{}",
        check.stdout
    );
}

#[test]
fn a_name_cannot_reorder_its_row() {
    let s = scene("x", Vec::new());
    // A right-to-left override: shown as it is, the rest of the row reads backwards
    // ("KO" where the status is, say); an isolate does the same until its end.
    s.double.state().users.get_mut("u-ann").unwrap().name = "Ann\u{202E}KO \u{2066}x".into();
    s.add("acme", "x", &[]).success();
    let report = s.env.root().join("report.html");
    s.env
        .run(&["report", "--html", report.to_str().unwrap()])
        .success();
    let page = std::fs::read_to_string(&report).unwrap();
    let list = s.env.run(&["profiles", "list"]);
    let show = s.env.run(&["profiles", "show", "acme"]);
    for (what, text) in [
        ("list", &list.stdout),
        ("show", &show.stdout),
        ("report", &page),
    ] {
        assert!(
            !text.contains(['\u{202E}', '\u{2066}']),
            "{what} prints a bidirectional control: {text}"
        );
        assert!(
            text.to_lowercase().contains("ann\\u{202e}ko \\u{2066}x"),
            "{what}: {text}"
        );
    }
}

#[test]
fn provider_answers_are_read_and_stored_within_bounds() {
    let s = scene("identityserver", Vec::new());
    // A name of half a megabyte: read (under the 1 MiB cap), stored cut short.
    let name = "N".repeat(500_000);
    s.double.fault(
        "/connect/userinfo",
        200,
        &serde_json::json!({"sub": "u-ann", "name": name}).to_string(),
        None,
    );
    s.add("acme", "identityserver", &[]).success();
    let shown = s.show("acme")["account_name"].as_str().unwrap().to_owned();
    assert_eq!(shown.chars().count(), 256);
    assert!(shown.ends_with('…'));
    let db = std::fs::metadata(s.env.db_path()).unwrap().len()
        + std::fs::metadata(format!("{}-wal", s.env.db_path().display()))
            .map(|m| m.len())
            .unwrap_or(0);
    assert!(db < 1_000_000, "{db} bytes");
    // Five megabytes: only the first is read, and the answer is refused as what it is.
    let huge = format!(r#"{{"sub": "u-ann", "name": "{}"}}"#, "N".repeat(5_000_000));
    s.double.fault("/connect/userinfo", 200, &huge, None);
    s.add("big", "identityserver", &[])
        .code(1)
        .stderr_has("userinfo failed (the answer is larger than 1 MiB)");
}

#[test]
fn a_db_path_that_is_not_ours_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let mode = |p: &std::path::Path| crate::support::mode(p);
    // A text file, another program's SQLite file, and a symlink to each.
    let conf = env.root().join("app.conf");
    std::fs::write(&conf, "setting = 1\n").unwrap();
    let other = env.root().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT);")
        .unwrap();
    let link_conf = env.root().join("link-conf.db");
    let link_other = env.root().join("link-other.db");
    std::os::unix::fs::symlink(&conf, &link_conf).unwrap();
    std::os::unix::fs::symlink(&other, &link_other).unwrap();
    for f in [&conf, &other] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o664)).unwrap();
    }
    let other_bytes = std::fs::read(&other).unwrap();
    for db in [&conf, &other, &link_conf, &link_other] {
        env.run(&["--db", db.to_str().unwrap(), "profiles", "list"])
            .code(1)
            .stderr_has("the file was left untouched");
        assert_eq!(mode(&conf), 0o664, "{}", db.display());
        assert_eq!(mode(&other), 0o664, "{}", db.display());
    }
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "setting = 1\n");
    assert_eq!(
        std::fs::read(&other).unwrap(),
        other_bytes,
        "the other database changed"
    );
    // sbctl's own database, made readable by others, is made private again.
    env.add("a", "x", "t");
    std::fs::set_permissions(env.db_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["profiles", "list"])
        .success()
        .stderr_has("it is now readable by you only");
    assert_eq!(mode(&env.db_path()), 0o600);
}

/// The largest resident size of this test's finished children, in KiB (nextest runs
/// each test in a process of its own, so these are this test's sbctl runs).
fn children_peak_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

#[test]
fn import_reads_within_bounds_whatever_it_is_given() {
    let env = Env::new();
    // 64 MiB of NUL bytes without a line break, as /dev/zero gives.
    let zeros = env.root().join("zeros");
    let file = std::fs::File::create(&zeros).unwrap();
    file.set_len(64 << 20).unwrap();
    let run = env.run(&["profiles", "import", zeros.to_str().unwrap()]);
    run.code(1).stderr_has(&format!(
        "import {}:1: the record is longer than 1 MiB",
        zeros.display()
    ));
    // A record of 2 MiB on line 2 of a JSON array.
    let big = env.root().join("big.json");
    let token = "t".repeat(2 << 20);
    std::fs::write(
        &big,
        format!("[\n{{\"id\":\"a\",\"network\":\"x\",\"token\":\"{token}\"}}\n]\n"),
    )
    .unwrap();
    env.run(&["profiles", "import", big.to_str().unwrap()])
        .code(1)
        .stderr_has(":2: the record is longer than 1 MiB");
    let peak = children_peak_kib();
    assert!(peak < 48 * 1024, "sbctl's peak: {peak} KiB");
    // And from stdin, one record at a time.
    let lines: String = (0..500)
        .map(|i| format!("{{\"id\":\"p{i}\",\"network\":\"x\"}}\n"))
        .collect();
    env.run_with_stdin(&["profiles", "import", "-"], &lines)
        .success()
        .stderr_has("imported 500 profiles");
}

/// Gives `path` to another user (nobody) when this runs as root; otherwise it stays
/// ours, and the caller uses a file root owns instead.
fn give_away(path: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    unsafe { libc::geteuid() == 0 && libc::lchown(c.as_ptr(), 65534, 65534) == 0 }
}

#[test]
fn a_file_planted_beside_the_secrets_receives_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Env::new();
    // A shared directory with the sticky bit, as /tmp: another user may create files
    // there, such as the log SQLite would write the secrets to next.
    let shared = env.root().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let secrets = shared.join("secrets.db");
    env.set("SBCTL_SECRETS_FILE", secrets.to_str().unwrap());
    let planted = shared.join("secrets.db-wal");
    std::fs::write(&planted, "").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    give_away(&planted);
    env.try_add("acme", "x", "tok-s3cr3t-planted")
        .code(1)
        .stderr_has("is in a directory others can write to (mode 1777)")
        .stderr_has("SBCTL_SECRETS_FILE");
    assert_eq!(
        std::fs::read(&planted).unwrap(),
        b"",
        "the planted file received data"
    );
    assert!(!secrets.exists());
}

#[test]
fn secrets_are_read_only_from_files_of_our_own() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Env::new();
    env.add("acme", "x", "tok-1");
    // A secrets file that belongs to someone else (mode 0600 alike).
    let foreign = env.root().join("foreign.db");
    std::fs::copy(env.secrets_path(), &foreign).unwrap();
    let foreign = if give_away(&foreign) {
        foreign
    } else {
        // Not root: a file root owns stands for another user's.
        std::path::PathBuf::from("/etc/hostname")
    };
    env.set("SBCTL_SECRETS_FILE", foreign.to_str().unwrap());
    env.run(&["token", "acme"])
        .code(1)
        .stderr_has("belongs to another user");
    // A symbolic link planted where SQLite's log goes leads nowhere.
    let env = Env::new();
    env.add("acme", "x", "tok-1");
    let victim = env.root().join("victim");
    let wal = std::path::PathBuf::from(format!("{}-wal", env.secrets_path().display()));
    let _ = std::fs::remove_file(&wal);
    std::os::unix::fs::symlink(&victim, &wal).unwrap();
    env.try_add("b", "x", "tok-2")
        .code(1)
        .stderr_has("is a symbolic link");
    assert!(!victim.exists());
    // ... and so does one in place of the secrets file.
    std::fs::remove_file(&wal).unwrap();
    let real = env.root().join("real.db");
    std::fs::rename(env.secrets_path(), &real).unwrap();
    std::os::unix::fs::symlink(&real, env.secrets_path()).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.run(&["token", "acme"])
        .code(1)
        .stderr_has("is a symbolic link");
}

/// `profiles add acme --network x` started in the background, with a browser that runs
/// `script` (`$1`: the page it is given).
fn add_in_background(
    s: &mut crate::support::doubles::Scene,
    name: &str,
    script: &str,
) -> std::process::Child {
    let (browser, _) = env_dumper(&s.env, name, script);
    s.env.set("BROWSER", &format!("{browser} %s"));
    s.env.spawn_silent(ADD_ACME)
}

/// A sign-in of a new X profile that waits up to 40 s for the browser.
const ADD_ACME: &[&str] = &[
    "profiles",
    "add",
    "acme",
    "--network",
    "x",
    "--timeout",
    "40s",
];

/// How `child` ended, within 45 s.
fn ended(child: &mut std::process::Child) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(45),
            "sbctl never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn slow_local_clients_do_not_keep_the_browser_out() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let mut s = scene("x", Vec::new());
    let port = s.redirect_port();
    // The browser comes back once the slow clients have taken every reader.
    let mut child = add_in_background(
        &mut s,
        "slow-browser",
        &format!(
            "sleep 4; exec {} --max-time 30 \"$1\"",
            crate::support::follow_page()
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the listener never came up");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Forty connections, each sending a byte a second and reconnecting when closed,
    // for as long as the sign-in takes.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let slow = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let connect = || std::net::TcpStream::connect(("127.0.0.1", port)).ok();
            let mut conns: Vec<_> = (0..40).filter_map(|_| connect()).collect();
            let until = Instant::now() + Duration::from_secs(30);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < until {
                for c in conns.iter_mut() {
                    if c.write_all(b"G").is_err() {
                        if let Some(new) = connect() {
                            *c = new;
                        }
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let status = ended(&mut child);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    slow.join().unwrap();
    assert!(status.success(), "the sign-in did not get through");
    assert_eq!(s.show("acme")["status"], "ok");
}

#[test]
fn forged_id_tokens_name_no_account() {
    use crate::support::doubles::oauth::id_token;
    use base64::Engine;
    let s = scene("identityserver", Vec::new());
    // A genuine sign-in: the ID token carries the nonce sbctl sent, and names Ann.
    s.add("acme", "identityserver", &[]).success();
    assert_eq!(s.show("acme")["account_id"], "u-ann");
    let (issuer, client, secret) = {
        let st = s.double.state();
        (
            st.issuer.clone(),
            st.client_id.clone(),
            st.client_secret.clone(),
        )
    };
    // No userinfo endpoint: the ID token alone would name the account.
    let config: String = std::fs::read_to_string(s.env.config_path())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("userinfo_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    s.env.write_config(&config);
    let now = chrono::Utc::now().timestamp();
    let good = serde_json::json!({"iss": issuer, "sub": "mallory", "aud": client,
        "exp": now + 300, "iat": now, "nonce": "n"});
    let with = |k: &str, v: serde_json::Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let unsigned = format!(
        "{}.{}.",
        b64(&serde_json::json!({"alg": "none"})),
        b64(&good)
    );
    let cases = [
        (unsigned, "not a signed JWT"),
        (
            id_token(&good, "another-secret"),
            "signature does not match",
        ),
        (
            id_token(&with("iss", "https://evil.example".into()), &secret),
            "another issuer",
        ),
        (
            id_token(&with("aud", "other-client".into()), &secret),
            "another client",
        ),
        (
            id_token(&with("aud", serde_json::json!([client, "other"])), &secret),
            "several audiences",
        ),
        (
            id_token(&with("exp", (now - 3600).into()), &secret),
            "expired",
        ),
        (
            id_token(&with("iat", (now + 3600).into()), &secret),
            "in the future",
        ),
        (id_token(&good, &secret), "`nonce` is not the one sent"),
    ];
    let genuine = s.tokens("acme")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, (jwt, why)) in cases.into_iter().enumerate() {
        // Tokens the server did issue (to another user), with the forged ID token.
        let (access, refresh) = {
            let mut st = s.double.state();
            let scopes = ["openid".to_owned()];
            (
                st.issue("at-", "access", "mallory", None, Some(3600), &scopes),
                st.issue("rt-", "refresh", "mallory", None, None, &scopes),
            )
        };
        let answer = serde_json::json!({"access_token": access, "refresh_token": refresh,
            "token_type": "Bearer", "expires_in": 3600, "id_token": jwt});
        s.double
            .fault("/connect/token", 200, &answer.to_string(), None);
        let id = format!("forged{i}");
        s.add(&id, "identityserver", &[])
            .code(1)
            .stderr_has("the ID token is refused")
            .stderr_has(why)
            .stderr_has("the tokens it issued were revoked at identityserver");
        assert!(s.tokens_gone_or(&id).is_none(), "{why}");
        // What the refused sign-in was given is revoked; the genuine profile's is not.
        let st = s.double.state();
        assert!(st.live(Some(&refresh), &["refresh"]).is_err(), "{why}");
        assert!(st.live(Some(&genuine), &["refresh"]).is_ok(), "{why}");
    }
}

#[test]
#[ignore = "needs `unshare --mount --map-root-user` (root, or user namespaces); scripts/test runs it"]
fn a_full_disk_is_named_and_loses_nothing() {
    // A 1 MiB file system of our own (a tmpfs in a private mount namespace), filled up
    // after the first profile is stored.
    let env = Env::new();
    let dir = env.root().join("small");
    std::fs::create_dir(&dir).unwrap();
    let sbctl = assert_cmd::cargo::cargo_bin("sbctl");
    let script = format!(
        r#"set -e
mount -t tmpfs -o size=1m,mode=0700 tmpfs '{d}'
export SBCTL_DB='{d}/sbctl.db' SBCTL_SECRETS_FILE='{d}/secrets.db'
printf tok-first | '{s}' profiles add first --network x --with-token
dd if=/dev/zero of='{d}/filler' bs=4k 2>/dev/null || true
set +e
printf tok-second | '{s}' profiles add second --network x --with-token 2>&1
echo "exit=$?"
rm '{d}/filler'
'{s}' token first
'{s}' profiles list --json | grep -c '"id"'
"#,
        d = dir.display(),
        s = sbctl.display()
    );
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "--map-root-user", "sh", "-c", &script]);
    let out = env.apply(cmd).output().expect("unshare runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("exit=1"), "{stdout}");
    assert!(stdout.contains("the disk is full"), "{stdout}");
    assert!(stdout.contains("nothing was lost"), "{stdout}");
    assert!(!stdout.contains("disk I/O error"), "{stdout}");
    // The first profile and its token are as they were; the second is not half there.
    assert!(stdout.contains("tok-first\n1\n"), "{stdout}");
}

#[test]
fn a_plain_http_webhook_elsewhere_is_refused() {
    let env = Env::new();
    env.write_config("[notify]\nwebhook = \"http://hooks.invalid/sbctl\"\n");
    env.add("a", "x", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'a'");
    env.run(&["check"])
        .code(3)
        .stderr_has("webhook `http://hooks.invalid/sbctl` must use https");
}

/// Runs `script` with `sh -c` as another local user (nobody), as CI runs as root.
fn as_nobody(script: &str) -> std::process::Output {
    std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(["sh", "-c", script])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("setpriv runs")
}

#[test]
#[ignore = "needs root, to act as another local user (nobody); scripts/test runs it"]
fn another_local_user_cannot_take_over_a_sign_in() {
    use std::time::{Duration, Instant};
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "run as root (scripts/test does)"
    );
    let mut s = scene("x", Vec::new());
    let port = s.redirect_port();
    // A browser that writes down what it was given, then waits to be let go.
    let given = s.env.root().join("browser-was-given");
    let go = s.env.root().join("go");
    let mut child = add_in_background(
        &mut s,
        "waiting-browser",
        &format!(
            "echo \"$1\" > '{}'; while [ ! -e '{}' ]; do sleep 0.05; done; exec {} \"$1\"",
            given.display(),
            go.display(),
            crate::support::follow_page()
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !given.exists() || std::fs::read_to_string(&given).unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the browser was never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let page = std::fs::read_to_string(&given).unwrap().trim().to_owned();
    let page_file = page.strip_prefix("file://").expect("a local page");
    let state = std::fs::read_to_string(page_file)
        .unwrap()
        .split("state=")
        .nth(1)
        .expect("the page holds the authorize URL")
        .split(['&', '"'])
        .next()
        .unwrap()
        .to_owned();
    // What another user sees: every command line on the machine...
    let ps = as_nobody("ps -eww -o args=");
    let ps = String::from_utf8_lossy(&ps.stdout);
    assert!(ps.contains(&page), "nobody sees the browser's argv: {ps}");
    assert!(!ps.contains(&state), "the state is in a command line");
    // ... the listener's root (which once redirected to the authorize URL) ...
    let root = as_nobody(&format!(
        "curl --silent --include --max-time 10 http://127.0.0.1:{port}/"
    ));
    let root = String::from_utf8_lossy(&root.stdout);
    assert!(root.starts_with("HTTP/1.1 404"), "{root}");
    assert!(
        !root.contains(&state) && !root.contains("Location"),
        "{root}"
    );
    // ... the page itself ...
    let read = as_nobody(&format!("cat '{page_file}'"));
    assert!(!read.status.success(), "nobody read the page");
    assert!(!String::from_utf8_lossy(&read.stdout).contains(&state));
    // ... and a forged answer without the state, which sbctl turns away.
    let forged = as_nobody(&format!(
        "curl --silent --include --max-time 10 'http://127.0.0.1:{port}/callback?error=access_denied&state=guess'"
    ));
    assert!(String::from_utf8_lossy(&forged.stdout).starts_with("HTTP/1.1 400"));
    // The person's own sign-in then goes through, to the person's account.
    std::fs::write(&go, "").unwrap();
    let status = ended(&mut child);
    assert!(status.success(), "the sign-in did not get through");
    let shown = s.show("acme");
    assert_eq!(shown["status"], "ok");
    assert_eq!(shown["account_id"], "u-ann", "{shown}");
    assert!(
        !std::path::Path::new(page_file).exists(),
        "the page outlived the sign-in"
    );
}

/// A directory `mode` under the test's root, given to nobody when `theirs`.
fn dir_at(env: &Env, name: &str, mode: u32, theirs: bool) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.root().join(name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
    if theirs {
        assert!(give_away(&dir), "run as root (scripts/test does)");
    }
    dir
}

#[test]
fn files_named_relative_to_an_open_directory_are_refused() {
    let env = Env::new();
    // sbctl started from a directory anyone may write to, its files named relatively:
    // the directory is `.`, and as open as any.
    let cwd = dir_at(&env, "open", 0o777, false);
    for (var, value, what) in [
        (
            "SBCTL_SECRETS_FILE",
            "secrets.db",
            "secrets file secrets.db",
        ),
        ("SBCTL_DB", "sbctl.db", "database sbctl.db"),
    ] {
        let out = env
            .std_command(&["profiles", "add", "acme", "--network", "x", "--with-token"])
            .env(var, value)
            .current_dir(&cwd)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                // sbctl may refuse before it reads the token: a closed pipe is no error.
                let _ = child.stdin.take().unwrap().write_all(b"tok-1");
                child.wait_with_output()
            })
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{what} is in a directory others can write to (mode 777)"
            )),
            "{stderr}"
        );
        assert!(!cwd.join(value).exists(), "{value} was created");
    }
}

#[test]
#[ignore = "needs root, to act as another local user (nobody); scripts/test runs it"]
fn files_in_another_users_directory_are_refused() {
    let mut env = Env::new();
    // Closed to everyone else, but nobody owns it: nobody may remove what is in it.
    let theirs = dir_at(&env, "theirs", 0o755, true);
    let secrets = theirs.join("secrets.db");
    env.set("SBCTL_SECRETS_FILE", secrets.to_str().unwrap());
    env.try_add("acme", "x", "tok-1")
        .code(1)
        .stderr_has("is in a directory another user owns (uid 65534): they could replace it");
    assert!(!secrets.exists());
    env.unset("SBCTL_SECRETS_FILE");
    let db = theirs.join("sbctl.db");
    env.set("SBCTL_DB", db.to_str().unwrap());
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("database")
        .stderr_has("is in a directory another user owns (uid 65534)");
    assert!(!db.exists());
}

#[test]
fn the_database_takes_no_planted_log() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Env::new();
    // In a sticky shared directory (as /tmp), another user may create the log SQLite
    // would write account names to: the directory is refused, as for the secrets.
    let shared = dir_at(&env, "shared", 0o1777, false);
    let db = shared.join("sbctl.db");
    let planted = shared.join("sbctl.db-wal");
    std::fs::write(&planted, "").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    give_away(&planted);
    env.set("SBCTL_DB", db.to_str().unwrap());
    env.run_with_stdin(
        &[
            "profiles",
            "add",
            "acme-secret-name",
            "--network",
            "x",
            "--with-token",
        ],
        "tok-1",
    )
    .code(1)
    .stderr_has("is in a directory others can write to (mode 1777)");
    assert_eq!(std::fs::read(&planted).unwrap(), b"");
    // A log left as a symbolic link in our own directory leads nowhere either.
    let own = dir_at(&env, "own", 0o700, false);
    let db = own.join("sbctl.db");
    let victim = env.root().join("victim");
    std::os::unix::fs::symlink(&victim, own.join("sbctl.db-wal")).unwrap();
    env.set("SBCTL_DB", db.to_str().unwrap());
    env.run(&["profiles", "list"])
        .code(1)
        .stderr_has("is a symbolic link");
    assert!(!victim.exists());
}

#[test]
#[ignore = "needs root, to act as another local user (nobody); scripts/test runs it"]
fn a_key_file_of_another_user_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Env::new();
    env.add("acme", "x", "tok-1");
    let key = env.root().join("key.txt");
    std::fs::write(&key, age_key()).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(give_away(&key));
    env.set("SBCTL_SECRETS_KEY_FILE", key.to_str().unwrap());
    let before = std::fs::read(env.secrets_path()).unwrap();
    env.run(&["token", "acme"])
        .code(1)
        .stderr_has("belongs to another user (uid 65534)");
    assert_eq!(
        std::fs::read(env.secrets_path()).unwrap(),
        before,
        "nothing sealed to it"
    );
}

#[test]
#[ignore = "needs root, to act as another local user (nobody); scripts/test runs it"]
fn a_config_others_could_change_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.add("acme", "x", "tok-1");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked'");
    let ran = env.root().join("ran");
    env.write_config(&format!(
        "[notify]\ncommand = \"touch '{}'\"\n",
        ran.display()
    ));
    let config = env.config_path();
    let dir = config.parent().unwrap().to_owned();
    // `check` and `doctor` both stop, say why and name the fix; the command never runs.
    let refused = |why: &str, fix: &str| {
        for args in [&["check"][..], &["doctor"]] {
            env.run(args).code(1).stderr_has(why).stderr_has(fix);
        }
        assert!(!ran.exists(), "the planted command ran");
    };
    // Writable by others: anyone could have added that command.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    refused(
        "is a file others can write to (mode 666)",
        &format!("chmod go-w {}", config.display()),
    );
    // Owned by another user, closed as it may be.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(give_away(&config));
    refused("is a file another user owns (uid 65534)", "make it yours");
    // Its directory open to others: the file could be replaced.
    std::os::unix::fs::chown(&config, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    refused(
        "is in a directory others can write to (mode 777)",
        &format!("chmod go-w {}", dir.display()),
    );
    // Put right, it is read and its command runs.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.run(&["check"]).code(3);
    assert!(ran.exists(), "a trusted config is used");
}

/// Starts `program args` in `dir` with core dumps allowed (`ulimit -c unlimited`),
/// then quits it with SIGQUIT once `ready` holds, and returns whether a core file
/// appeared there, with the core limit it ran under (from /proc/PID/limits).
fn quit_with_cores_allowed(
    env: &Env,
    dir: &std::path::Path,
    program: &str,
    args: &[&str],
    ready: &dyn Fn() -> bool,
) -> (bool, String) {
    use std::time::{Duration, Instant};
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "ulimit -c unlimited && exec \"$0\" \"$@\"", program])
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = env.apply(cmd).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{program} never got ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let core_limit = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_owned();
    unsafe { libc::kill(child.id() as i32, libc::SIGQUIT) };
    child.wait().unwrap();
    let cored = std::fs::read_dir(dir)
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().starts_with("core"));
    (cored, core_limit)
}

#[test]
fn a_quit_leaves_no_core_file_with_tokens() {
    let mut s = scene("x", Vec::new());
    let port = s.redirect_port();
    s.env.set("BROWSER", "true");
    // What this machine does with a core: a plain program quit the same way leaves one
    // when the kernel writes cores to files here.
    let control = s.env.root().join("control");
    std::fs::create_dir(&control).unwrap();
    let started = std::time::Instant::now();
    let (control_cored, _) = quit_with_cores_allowed(&s.env, &control, "sleep", &["30"], &|| {
        started.elapsed() > std::time::Duration::from_millis(300)
    });
    // sbctl, quit while a sign-in waits (its PKCE verifier and state in memory).
    let cwd = s.env.root().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let sbctl = assert_cmd::cargo::cargo_bin("sbctl");
    let (cored, limit) =
        quit_with_cores_allowed(&s.env, &cwd, sbctl.to_str().unwrap(), ADD_ACME, &|| {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    let limit: Vec<&str> = limit.split_whitespace().collect();
    assert_eq!(
        limit[4..6],
        ["0", "0"],
        "sbctl lowered its core limit: {limit:?}"
    );
    assert!(!cored, "sbctl left a core file");
    eprintln!("a plain program left a core here: {control_cored}");
}

#[test]
fn reports_and_metrics_never_write_over_a_database() {
    let env = Env::new();
    env.add("acme", "x", "tok-1");
    // Another program's SQLite database, and a link to the secrets under a new name.
    let other = env.root().join("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let alias = env.root().join("alias.prom");
    std::fs::hard_link(env.secrets_path(), &alias).unwrap();
    let targets = [
        (env.secrets_path(), "it is one of sbctl's own files"),
        (env.db_path(), "it is one of sbctl's own files"),
        (alias.clone(), "it is one of sbctl's own files"),
        (other.clone(), "it is an SQLite database"),
    ];
    for (target, why) in &targets {
        let before = std::fs::read(target).unwrap();
        let t = target.to_str().unwrap();
        for args in [&["metrics", "--output", t][..], &["report", "--html", t]] {
            env.run(args)
                .code(1)
                .stderr_has(&format!("will not write over {t}: {why}"));
            assert_eq!(std::fs::read(target).unwrap(), before, "{t} changed");
        }
    }
    assert_eq!(env.run(&["token", "acme"]).stdout, "tok-1\n");
    // Any other file is written as asked.
    let prom = env.root().join("sbctl.prom");
    env.run(&["metrics", "--output", prom.to_str().unwrap()])
        .success();
    env.run(&["metrics", "--output", prom.to_str().unwrap()])
        .success();
    assert!(std::fs::read_to_string(&prom)
        .unwrap()
        .contains("sbctl_profiles"));
}
