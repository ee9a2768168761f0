//! `profiles import` and `profiles export`.

use crate::support::Env;

#[test]
fn import_json_lines_and_arrays() {
    let env = Env::new();
    let lines = r#"{"id":"a","network":"x","account_id":"11","account_name":"@a","token":{"access_token":"ta","refresh_token":"ra","expires_in":7200,"scope":"tweet.read"}}

{"id":"b","network":"facebook","token":{"access_token":"tb","expires_at":"2099-01-01T00:00:00Z"}}
"#;
    std::fs::write(env.root().join("in.jsonl"), lines).unwrap();
    env.run(&[
        "profiles",
        "import",
        env.root().join("in.jsonl").to_str().unwrap(),
    ])
    .success()
    .stderr_has("imported 2 profiles (2 with tokens)");
    let array = r#"[
  {"id": "c", "network": "tiktok", "token": {"access_token": "tc"}},
  {"id": "d", "network": "pinterest"}
]"#;
    env.run_with_stdin(&["profiles", "import", "-"], array)
        .success();
    assert_eq!(env.ids(&[]), ["a", "b", "c", "d"]);
    let a = env.run(&["profiles", "show", "a", "--json"]).json();
    assert_eq!(a["account_name"], "@a");
    assert_eq!(a["renewable"], true);
    let b = env.run(&["profiles", "show", "b", "--json"]).json();
    assert_eq!(b["expires_at"], "2099-01-01T00:00:00Z");
    let d = env.run(&["profiles", "show", "d", "--json"]).json();
    assert_eq!(d["reason"], "not_authorized", "no token: never authorized");
    assert_eq!(env.run(&["token", "c"]).stdout, "tc\n");
}

#[test]
fn a_bad_record_aborts_the_whole_import_with_its_line() {
    let env = Env::new();
    env.add("taken", "x", "t0");
    let secrets_before = env.secrets();
    let good = r#"{"id":"ok1","network":"x","token":{"access_token":"t1"}}"#;
    let cases = [
        (format!("{good}\n{{\"id\":\"BAD\",\"network\":\"x\"}}\n"), 2, "invalid profile id `BAD`"),
        (format!("{good}\n\n{{\"id\":\"n\",\"network\":\"myspace\"}}\n"), 3, "unknown network `myspace`"),
        (format!("{good}\n{{\"id\":\"taken\",\"network\":\"x\"}}\n"), 2, "profile `taken` already exists"),
        (format!("{good}\n{good}\n"), 2, "profile `ok1` already exists"),
        (format!("{good}\n{{\"id\":\"n\",\"network\":\"x\",\"tokn\":{{}}}}\n"), 2, "unknown key `tokn`"),
        (format!("{good}\n{{\"id\":\"n\",\"network\":\"x\",\"token\":{{\"access_token\":\"s3cr3t\",\"expires_in\":\"soon\"}}}}\n"), 2, "token: `expires_in` must be"),
        (format!("{good}\n{{\"id\":\"n\",\"network\":\"x\",\"token\":{{\"access_token\":\"s3cr3t\"}}\n"), 2, "not valid JSON"),
        (format!("[\n{good},\n{{\"id\":\"n\" \"network\":\"x\"}}\n]"), 3, "not valid JSON"),
        (format!("[\n{good},\n{good}"), 3, "the array is not closed"),
    ];
    for (text, line, message) in cases {
        let run = env.run_with_stdin(&["profiles", "import", "-"], &text);
        run.code(1)
            .stderr_has(&format!("error: import stdin:{line}: {message}"))
            .stderr_has("nothing was added");
        assert!(!run.stderr.contains("s3cr3t"), "{}", run.stderr);
        assert_eq!(env.ids(&[]), ["taken"], "{text}");
        assert_eq!(env.secrets(), secrets_before);
    }
    env.run(&["profiles", "import", "/nonexistent/file.json"])
        .code(1)
        .stderr_has("cannot read /nonexistent/file.json: no such file or directory");
}

#[test]
fn an_import_killed_while_it_reads_adds_nothing_and_holds_nothing() {
    use std::io::Write;
    let env = Env::new();
    env.add("taken", "x", "t0");
    let secrets_before = env.secrets();
    let mut import = env
        .std_command(&["profiles", "import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut input = import.stdin.take().unwrap();
    for i in 0..200 {
        writeln!(
            input,
            r#"{{"id":"p{i}","network":"x","token":{{"access_token":"tok-{i}"}}}}"#
        )
        .unwrap();
    }
    input.flush().unwrap();
    // Records are going in: the import holds the database's write lock, its input
    // still open. Then it is killed.
    let locked = || {
        let conn = rusqlite::Connection::open(env.db_path()).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;").is_err()
    };
    let started = std::time::Instant::now();
    while !locked() {
        assert!(started.elapsed().as_secs() < 20, "the import never began");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The lock is taken before the first record is read: give it time to add them.
    std::thread::sleep(std::time::Duration::from_millis(300));
    import.kill().unwrap();
    import.wait().unwrap();
    drop(input);
    assert_eq!(env.ids(&[]), ["taken"]);
    assert_eq!(env.secrets(), secrets_before);
    // Nothing is left locked: the next import goes through.
    env.run_with_stdin(
        &["profiles", "import", "-"],
        r#"{"id":"p1","network":"x","token":{"access_token":"tok-1"}}"#,
    )
    .success();
    assert_eq!(env.ids(&[]), ["p1", "taken"]);
}

#[test]
fn export_without_secrets_writes_no_token() {
    let env = Env::new();
    env.run_with_stdin(
        &["profiles", "import", "-"],
        r#"{"id":"a","network":"x","account_id":"11","token":{"access_token":"secret-a","refresh_token":"secret-r"}}"#,
    )
    .success();
    let run = env.run(&["profiles", "export"]);
    run.success();
    assert_eq!(
        run.stdout,
        "{\"id\":\"a\",\"network\":\"x\",\"account_id\":\"11\"}\n"
    );
}

#[test]
fn export_with_secrets_round_trips_into_another_machine() {
    let source = Env::new();
    let input = r#"[{"id":"a","network":"x","account_name":"@a","token":{"access_token":"ta","refresh_token":"ra","token_type":"bearer","expires_in":7200,"refresh_token_expires_in":86400,"scope":"s1 s2"}},
{"id":"b","network":"facebook","token":{"access_token":"tb"}}]"#;
    source
        .run_with_stdin(&["profiles", "import", "-"], input)
        .success();
    // What a profile learns after it is added: Facebook's data-access deadline, the
    // last renewal, a token the network said never expires.
    source.add("page", "facebook", "page-token");
    source.sql("UPDATE profiles SET data_access_expires_at = unixepoch() + 80 * 86400, last_refreshed_at = unixepoch() - 3600, expires_never = 1, expires_at = NULL WHERE id = 'page'");
    let exported = source.run(&["profiles", "export", "--with-secrets"]);
    exported.success();
    let target = Env::new();
    target
        .run_with_stdin(&["profiles", "import", "-"], &exported.stdout)
        .success();
    assert_eq!(target.run(&["token", "a"]).stdout, "ta\n");
    assert_eq!(
        target.secrets(),
        source.secrets(),
        "same tokens, refresh tokens included"
    );
    let show = |env: &Env, id: &str| {
        let mut j = env.run(&["profiles", "show", id, "--json"]).json();
        for volatile in ["created_at", "updated_at"] {
            j[volatile] = serde_json::Value::Null;
        }
        j
    };
    assert_eq!(show(&target, "a"), show(&source, "a"));
    let page = show(&target, "page");
    assert_eq!(page, show(&source, "page"));
    assert!(page["data_access_expires_at"].is_string(), "{page}");
    assert!(page["last_refreshed_at"].is_string(), "{page}");
}

#[test]
fn import_replace_updates_existing_profiles_all_or_nothing() {
    let env = Env::new();
    let first = r#"{"id":"a","network":"x","account_id":"11","owner":"old@agency.example","token":{"access_token":"ta","refresh_token":"ra","expires_in":7200}}
{"id":"b","network":"x","token":{"access_token":"tb"}}"#;
    env.run_with_stdin(&["profiles", "import", "-"], first)
        .success();
    env.sql("UPDATE profiles SET created_at = 1000000000 WHERE id = 'a'");
    let token = |id: &str| {
        let run = env.run(&["token", id]);
        run.success();
        run.stdout.trim().to_owned()
    };

    let again = r#"{"id":"a","network":"x","account_id":"11","owner":"new@agency.example","token":{"access_token":"ta2","refresh_token":"ra2","expires_in":7200}}
{"id":"c","network":"x","token":{"access_token":"tc"}}"#;
    env.run_with_stdin(&["profiles", "import", "-"], again)
        .code(1)
        .stderr_has("error: import stdin:1: profile `a` already exists")
        .stderr_has("hint: to replace the profiles that exist, run the import with --replace");
    env.run_with_stdin(&["profiles", "import", "--replace", "-"], again)
        .success()
        .stderr_has("imported 2 profiles (2 with tokens; 1 replaced)");
    assert_eq!(env.ids(&[]), ["a", "b", "c"]);
    assert_eq!(token("a"), "ta2");
    let a = env.run(&["profiles", "show", "a", "--json"]).json();
    assert_eq!(a["owner"], "new@agency.example");
    // A record without owner or tags keeps those of the profile it replaces.
    env.run(&["profiles", "edit", "a", "--tag", "client=acme"])
        .success();
    env.run_with_stdin(
        &["profiles", "import", "--replace", "-"],
        r#"{"id":"a","network":"x","account_id":"11","token":{"access_token":"ta3"}}"#,
    )
    .success();
    let a = env.run(&["profiles", "show", "a", "--json"]).json();
    assert_eq!(a["owner"], "new@agency.example");
    assert_eq!(a["tags"], serde_json::json!({"client": "acme"}));
    assert_eq!(token("a"), "ta3");
    assert_eq!(
        a["created_at"], "2001-09-09T01:46:40Z",
        "when it was first added stays"
    );

    // A record that replaces must carry the token; the whole file is refused.
    let bare = r#"{"id":"d","network":"x","token":{"access_token":"td"}}
{"id":"b","network":"x","owner":"x@agency.example"}"#;
    env.run_with_stdin(&["profiles", "import", "--replace", "-"], bare)
        .code(1)
        .stderr_has("error: import stdin:2: profile `b` exists, and a record that replaces it must carry its token");
    // The same id twice in one file is a mistake, not two replacements.
    let twice = r#"{"id":"b","network":"x","token":{"access_token":"tb2"}}
{"id":"b","network":"x","token":{"access_token":"tb3"}}"#;
    env.run_with_stdin(&["profiles", "import", "--replace", "-"], twice)
        .code(1)
        .stderr_has("error: import stdin:2: profile `b` came earlier in the file");
    // A profile whose renewal is with the provider right now is not written over.
    let future = chrono::Utc::now().timestamp() + 600;
    env.sql(&format!(
        "INSERT INTO leases (profile_id, holder, expires_at, host, pid) VALUES ('b', 'other', {future}, 'otherhost', 1)"
    ));
    env.run_with_stdin(
        &["profiles", "import", "--replace", "-"],
        &twice[..twice.find('\n').unwrap()],
    )
    .code(1)
    .stderr_has("error: import stdin:1: profile `b` is being renewed right now; nothing was added");
    assert_eq!(env.ids(&[]), ["a", "b", "c"]);
    assert_eq!(token("b"), "tb");
}
