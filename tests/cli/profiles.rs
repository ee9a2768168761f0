//! `profiles list | show | add | remove` and `token`.

use crate::support::{Env, Run};

const DAY: i64 = 86_400;

fn token_json(access: &str, expires_in: Option<i64>, extra: &str) -> String {
    match expires_in {
        Some(s) => format!(r#"{{"access_token":"{access}","expires_in":{s}{extra}}}"#),
        None => format!(r#"{{"access_token":"{access}"{extra}}}"#),
    }
}

/// Four profiles, one in each state the offline commands can reach.
fn four_profiles() -> Env {
    let env = Env::new();
    env.add(
        "acme-fb",
        "facebook",
        &token_json("tok-fb", Some(60 * DAY + 3600), ""),
    );
    env.add(
        "acme-x",
        "x",
        &token_json(
            "tok-x",
            Some(5 * 3600 + 1800),
            r#","refresh_token":"ref-x","scope":"tweet.read offline.access""#,
        ),
    );
    env.add(
        "acme-li",
        "linkedin",
        &token_json("tok-li", Some(3 * DAY + 3600), ""),
    );
    env.add("acme-yt", "youtube", "tok-yt");
    env.sql("UPDATE profiles SET reauth_reason = 'password_changed' WHERE id = 'acme-yt'");
    env
}

#[test]
fn list_shows_each_status_as_the_spec_words_it() {
    let env = four_profiles();
    insta::assert_snapshot!(env.run(&["profiles", "list"]).snapshot());
}

#[test]
fn list_sorts_by_deadline_and_shows_chosen_columns() {
    let env = four_profiles();
    let ids = |args: &[&str]| -> Vec<String> {
        let run = env.run(args);
        run.success();
        run.stdout
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap().to_owned())
            .collect()
    };
    // Who must act now, then the soonest deadline, then those with none.
    assert_eq!(
        ids(&["profiles", "list", "--sort", "deadline"]),
        ["acme-yt", "acme-li", "acme-fb", "acme-x"]
    );
    assert_eq!(
        ids(&["profiles", "list", "--sort", "status"]),
        ["acme-yt", "acme-li", "acme-fb", "acme-x"]
    );
    assert_eq!(
        ids(&["profiles", "list", "--sort", "network"]),
        ["acme-fb", "acme-li", "acme-x", "acme-yt"]
    );
    let run = env.run(&[
        "profiles",
        "list",
        "--columns",
        "id,deadline",
        "--sort",
        "deadline",
    ]);
    run.success();
    assert_eq!(
        run.stdout,
        "ID        DEADLINE\nacme-yt   now\nacme-li   in 3d\nacme-fb   in 60d\nacme-x    none\n"
    );
    let json = env
        .run(&["profiles", "list", "--json", "--sort", "deadline"])
        .json();
    assert_eq!(json[0]["id"], "acme-yt");
    env.run(&["profiles", "list", "--columns", "id,colour"])
        .code(2)
        .stderr_has("invalid value 'colour'");
}

#[test]
fn list_json_has_the_spec_fields() {
    let env = four_profiles();
    let run = env.run(&["profiles", "list", "--json"]);
    run.success();
    let items = run.json();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 4);
    for field in [
        "id",
        "network",
        "account_name",
        "account_id",
        "status",
        "reason",
        "expires_at",
        "refresh_expires_at",
        "data_access_expires_at",
        "last_refreshed_at",
        "last_checked_at",
        "connected_by",
        "scopes",
        "last_error",
    ] {
        assert!(
            items.iter().all(|i| i.get(field).is_some()),
            "{field} missing"
        );
    }
    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(by_id("acme-fb")["status"], "ok");
    assert_eq!(by_id("acme-li")["status"], "expiring");
    assert_eq!(by_id("acme-yt")["status"], "reauth_required");
    assert_eq!(by_id("acme-yt")["reason"], "password_changed");
    assert_eq!(by_id("acme-yt")["expires_at"], serde_json::Value::Null);
    assert_eq!(
        by_id("acme-x")["scopes"],
        serde_json::json!(["tweet.read", "offline.access"])
    );
    assert_eq!(by_id("acme-x")["connected_by"], "tester@testhost");
    // RFC 3339 UTC.
    let expires = by_id("acme-fb")["expires_at"].as_str().unwrap().to_owned();
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");
}

#[test]
fn list_filters() {
    let env = four_profiles();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["profiles", "list", "--json"];
        full.extend_from_slice(args);
        let run = env.run(&full);
        run.success();
        run.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&["--network", "x"]), ["acme-x"]);
    assert_eq!(ids(&["--status", "expiring"]), ["acme-li"]);
    assert_eq!(ids(&["--needs-reauth"]), ["acme-yt"]);
    assert_eq!(ids(&["--status", "ok"]), ["acme-fb", "acme-x"]);
    assert!(ids(&["--network", "tiktok"]).is_empty());
    env.run(&["profiles", "list", "--status", "broken"]).code(2);
    env.run(&["profiles", "list", "--network", "myspace"])
        .code(2)
        .stderr_has("unknown network `myspace`: known are facebook, instagram, linkedin");
}

#[test]
fn list_on_a_new_machine_says_how_to_start() {
    let env = Env::new();
    let run = env.run(&["profiles", "list"]);
    run.success().stderr_has("no profiles yet");
    assert_eq!(run.stdout, "");
    assert_eq!(
        env.run(&["profiles", "list", "--json"]).json(),
        serde_json::json!([])
    );
    assert_eq!(env.run(&["-q", "profiles", "list"]).stderr, "");
}

#[test]
fn list_reads_only_the_database() {
    let mut env = four_profiles();
    // A secret store that cannot work: list must not care.
    std::fs::write(env.secrets_path(), "garbage").unwrap();
    env.set("SBCTL_SECRET_STORE", "keyring");
    env.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    let run = env.run(&["profiles", "list"]);
    run.success();
    // Every profile, with the status the database gives it, and not a word about the
    // secret store.
    for (id, status) in [
        ("acme-fb", "OK"),
        ("acme-x", "OK"),
        ("acme-li", "Expiring"),
        ("acme-yt", "Reauth required"),
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{id} ")) && l.contains(status)),
            "{id} {status}:\n{}",
            run.stdout
        );
    }
    assert_eq!(run.stderr, "", "the secret store was touched");
}

#[test]
fn show_text_and_json() {
    let env = four_profiles();
    let run = env.run(&["profiles", "show", "acme-yt"]);
    run.success()
        .stdout_has("network:")
        .stdout_has("youtube (YouTube)")
        .stdout_has("Reauth required: password changed")
        .stdout_has("fix:                   sbctl reauth acme-yt");
    let json = env.run(&["profiles", "show", "acme-x", "--json"]).json();
    assert_eq!(json["id"], "acme-x");
    assert_eq!(json["renewable"], true);
    // An id that names nothing is a usage error, as a malformed one is.
    env.run(&["profiles", "show", "nobody"])
        .code(2)
        .stderr_has("error: no profile `nobody`\nhint: run `sbctl profiles list` to see the ids\n");
    env.run(&["profiles", "show", "Bad/Id"])
        .code(2)
        .stderr_has("invalid profile id");
}

#[test]
fn add_with_a_raw_token_and_with_a_token_response() {
    let env = Env::new();
    let run = env.run_with_stdin(
        &[
            "profiles",
            "add",
            "acme-fb",
            "--network",
            "facebook",
            "--with-token",
            "--account",
            "1234",
        ],
        "EAAB-raw-token\n",
    );
    run.success().stderr_has("added acme-fb (facebook): OK");
    assert_eq!(run.stdout, "", "nothing on stdout");
    let json = env.run(&["profiles", "show", "acme-fb", "--json"]).json();
    assert_eq!(
        json["expires_at"],
        serde_json::Value::Null,
        "unknown expiry is null"
    );
    assert_eq!(json["status"], "ok");
    assert_eq!(json["account_id"], "1234");
    let t = env.run(&["token", "acme-fb"]);
    t.success();
    assert_eq!(t.stdout, "EAAB-raw-token\n");
    assert_eq!(t.stderr, "");
}

#[test]
fn add_records_missing_scopes() {
    let env = Env::new();
    env.write_config("[providers.x]\nscopes = [\"tweet.read\", \"tweet.write\"]\n");
    let run = env.run_with_stdin(
        &[
            "profiles",
            "add",
            "acme-x",
            "--network",
            "x",
            "--with-token",
        ],
        r#"{"access_token":"a","scope":"tweet.read"}"#,
    );
    run.code(3).stderr_has("lacks the scopes tweet.write");
    let json = env.run(&["profiles", "show", "acme-x", "--json"]).json();
    assert_eq!(json["reason"], "scope_missing");
}

#[test]
fn failed_adds_leave_nothing_behind() {
    let env = Env::new();
    env.add("acme-fb", "facebook", "first-token");
    let secrets_before = env.secrets();
    let cases: [(&[&str], &str, i32, &str); 7] = [
        (
            &["acme-fb", "--network", "facebook"],
            "second-token",
            1,
            "profile `acme-fb` already exists",
        ),
        (
            &["new", "--network", "myspace"],
            "t",
            2,
            "unknown network `myspace`",
        ),
        (
            &["new", "--network", "x"],
            r#"{"access_token": "t""#,
            1,
            "new: stdin is not valid JSON",
        ),
        (
            &["new", "--network", "x"],
            r#"{"token": "t"}"#,
            1,
            "new: the token response has no `access_token`",
        ),
        (&["new", "--network", "x"], "", 1, "new: no token on stdin"),
        (
            &["new", "--network", "x"],
            "two\nlines",
            1,
            "contains spaces or line breaks",
        ),
        (&["-Bad", "--network", "x"], "t", 2, "error"),
    ];
    for (args, stdin, code, message) in cases {
        let mut full = vec!["profiles", "add"];
        full.extend_from_slice(args);
        full.push("--with-token");
        env.run_with_stdin(&full, stdin)
            .code(code)
            .stderr_has(message);
    }
    env.run(&["profiles", "add", "new", "--network", "x"])
        .code(1)
        .stderr_has("provider x has no client_id\nhint: set client_id under [providers.x]");
    let ids = env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(ids.as_array().unwrap().len(), 1);
    assert_eq!(env.secrets(), secrets_before);
    assert_eq!(env.run(&["token", "acme-fb"]).stdout, "first-token\n");
}

#[test]
fn failed_add_takes_its_token_back_out() {
    let env = Env::new();
    env.add("first", "x", "t1");
    // Make the row insert fail after the secret was written: a trigger refuses it.
    env.sql(
        "CREATE TRIGGER refuse BEFORE INSERT ON profiles WHEN NEW.id = 'second' \
         BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
    );
    env.run_with_stdin(
        &[
            "profiles",
            "add",
            "second",
            "--network",
            "x",
            "--with-token",
        ],
        "t2",
    )
    .code(1)
    .stderr_has("disk trouble");
    let secrets = env.secrets();
    assert!(secrets.contains_key("profile:first"));
    assert!(!secrets.contains_key("profile:second"), "{secrets:?}");
}

#[test]
fn remove_deletes_row_and_token() {
    let env = four_profiles();
    env.run(&["profiles", "remove", "acme-fb"])
        .code(2)
        .stderr_has("pass --yes");
    env.run(&["profiles", "remove", "acme-fb", "--revoke", "--yes"])
        .code(1)
        .stderr_has("provider facebook has no client_id");
    assert!(env.secrets().contains_key("profile:acme-fb"));
    env.run(&["profiles", "remove", "acme-fb", "--yes"])
        .success()
        .stderr_has("removed acme-fb");
    assert!(!env.secrets().contains_key("profile:acme-fb"));
    assert!(env.secrets().contains_key("profile:acme-x"));
    env.run(&["profiles", "show", "acme-fb"]).code(2);
    env.run(&["profiles", "remove", "acme-fb", "--yes"])
        .code(2)
        .stderr_has("no profile `acme-fb`");
}

fn token(env: &Env, id: &str) -> Run {
    env.run(&["token", id])
}

#[test]
fn token_refuses_what_needs_reauthorization() {
    let env = four_profiles();
    let run = token(&env, "acme-yt");
    run.code(3).stderr_has(
        "error: acme-yt needs re-authorization (password changed)\nhint: run `sbctl reauth acme-yt`\n",
    );
    assert_eq!(run.stdout, "");
    env.sql("UPDATE profiles SET expires_at = unixepoch() - 60 WHERE id = 'acme-fb'");
    token(&env, "acme-fb").code(3).stderr_has("reauth acme-fb");
    // An access token past its expiry is never printed, renewable or not; renewing
    // it needs the app's client_id, which this config does not have.
    env.sql("UPDATE profiles SET expires_at = unixepoch() - 60 WHERE id = 'acme-x'");
    let run = token(&env, "acme-x");
    run.code(1)
        .stderr_has("renewal failed (provider x has no client_id");
    assert_eq!(run.stdout, "");
    token(&env, "nobody").code(2);
    assert_eq!(
        token(&env, "acme-li").stdout,
        "tok-li\n",
        "expiring still works"
    );
}

#[test]
fn token_missing_from_the_secret_store_marks_the_profile() {
    let env = four_profiles();
    env.set_secret("profile:acme-fb", None);
    token(&env, "acme-fb")
        .code(3)
        .stderr_has("acme-fb needs re-authorization (no token in the secret store");
    let json = env.run(&["profiles", "show", "acme-fb", "--json"]).json();
    assert_eq!(json["reason"], "secret_missing");
}

#[test]
fn quiet_and_verbose() {
    let env = Env::new();
    let run = env.run_with_stdin(
        &[
            "-q",
            "profiles",
            "add",
            "a",
            "--network",
            "x",
            "--with-token",
        ],
        "secret-token-value",
    );
    run.success();
    assert_eq!(run.stderr, "");
    let run = env.run(&["-vv", "token", "a"]);
    run.success()
        .stderr_has("debug: database: ")
        .stderr_has("debug: secret store: ");
    assert!(!run.stderr.contains("secret-token-value"), "{}", run.stderr);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let mut env = four_profiles();
    let plain = env.run(&["profiles", "list"]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let coloured = env.run(&["--color", "always", "profiles", "list"]);
    assert!(coloured.stdout.contains('\u{1b}'), "{}", coloured.stdout);
    // At a terminal (a pty, through script(1)) the table is coloured, unless NO_COLOR.
    let at_terminal = |env: &Env, args: &str| {
        let out = env.spawn_at_terminal(args).wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = at_terminal(&env, "profiles list");
    assert!(shown.contains("acme-yt"), "{shown}");
    assert!(shown.contains('\u{1b}'), "a terminal gets colour: {shown}");
    env.set("NO_COLOR", "1");
    let shown = at_terminal(&env, "profiles list");
    assert!(shown.contains("acme-yt"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "NO_COLOR: {shown}");
    // NO_COLOR turns `auto` off; the flag, asked for in so many words, wins.
    let shown = at_terminal(&env, "--color always profiles list");
    assert!(shown.contains("\u{1b}[38;5;"), "--color always: {shown}");
    env.run(&["--color", "sometimes", "profiles", "list"])
        .code(2);
}

#[test]
fn json_tells_a_deadline_that_is_now_from_none() {
    let env = Env::new();
    env.add_renewable("renews");
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    let listed = env.run(&["profiles", "list", "--json"]).json();
    let deadline = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["deadline"]
            .clone()
    };
    assert!(deadline("renews").is_null(), "renews itself: none");
    let now = deadline("broken");
    let at = chrono::DateTime::parse_from_rfc3339(now.as_str().expect("a time, not null")).unwrap();
    assert!(
        (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 60
    );
}

#[test]
fn remove_revoke_says_first_that_a_network_has_no_revocation_api() {
    // No app set up at all: the missing API is the answer, not a missing client_id.
    let env = Env::new();
    env.add("ig", "instagram", "t");
    env.run(&["profiles", "remove", "ig", "--revoke", "--yes"])
        .code(1)
        .stderr_has("ig: cannot revoke at instagram: Instagram offers no revocation API")
        .stderr_has("nothing was removed");
    // Instagram through a Facebook Page revokes as Facebook does: the app is asked for.
    env.write_config("[providers.instagram]\nlogin = \"facebook\"\n");
    env.run(&["profiles", "remove", "ig", "--revoke", "--yes"])
        .code(1)
        .stderr_has("has no client_id");
}

#[test]
fn an_error_says_its_cause_and_its_fix_each_on_a_line() {
    let env = Env::new();
    env.write_config(
        "[providers.corp]\nauthorize_url = \"https://id.example.com/a\"\ntoken_url = \"https://id.example.com/t\"\nclient_id = \"c\"\n",
    );
    env.add("acme", "corp", "t");
    env.write_config("");
    let run = env.run(&["reauth", "acme", "--no-browser"]);
    run.code(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[0], "error: acme: its provider `corp` is no longer in the config",
        "{}",
        run.stderr
    );
    assert!(
        lines[1].starts_with("caused by: unknown network `corp`"),
        "{}",
        run.stderr
    );
    assert!(
        lines[2].starts_with("hint: add a [providers.corp] section"),
        "{}",
        run.stderr
    );
}
