//! Owners and tags: `profiles edit`, `add --owner --tag`, the list's filters, JSON,
//! `show`, export and import, the report, and the notifications that route by them.

use crate::support::Env;

/// Profiles a, b and c; a owned and tagged twice, b tagged once, c neither.
fn labelled() -> Env {
    let env = Env::new();
    for id in ["a", "b", "c"] {
        env.add(id, "x", &format!("tok-{id}"));
    }
    env.run(&[
        "profiles",
        "edit",
        "a",
        "--owner",
        "ops@example.com",
        "--tag",
        "client=acme",
        "--tag",
        "tier=gold",
    ])
    .success()
    .stderr_has("a: ops@example.com; client=acme, tier=gold");
    env.run(&["profiles", "edit", "b", "--tag", "client=acme"])
        .success();
    env
}

#[test]
fn owners_and_tags_label_profiles_and_filter_the_list() {
    let env = labelled();
    let all = env.run(&["profiles", "list", "--json"]).json();
    assert_eq!(all[0]["owner"], "ops@example.com");
    assert_eq!(
        all[0]["tags"],
        serde_json::json!({"client": "acme", "tier": "gold"})
    );
    assert_eq!(all[2]["owner"], serde_json::Value::Null);
    assert_eq!(all[2]["tags"], serde_json::json!({}));
    assert_eq!(env.ids(&["--tag", "client=acme"]), ["a", "b"]);
    assert_eq!(
        env.ids(&["--tag", "client=acme", "--tag", "tier=gold"]),
        ["a"]
    );
    assert_eq!(env.ids(&["--tag", "client=other"]), Vec::<String>::new());
    assert_eq!(env.ids(&["--owner", "ops@example.com"]), ["a"]);
    // Addresses are matched in any case.
    assert_eq!(env.ids(&["--owner", "OPS@Example.com"]), ["a"]);
    env.run(&["profiles", "list", "--owner", "nobody@example.com"])
        .success()
        .stderr_has("no profiles match");
    // Keys with the punctuation a JSON path would read otherwise.
    env.run(&["profiles", "edit", "c", "--tag", "team.eu-west=ops"])
        .success();
    assert_eq!(env.ids(&["--tag", "team.eu-west=ops"]), ["c"]);
    env.run(&["profiles", "edit", "c", "--untag", "team.eu-west"])
        .success();
    assert_eq!(
        env.ids(&["--owner", "ops@example.com", "--tag", "tier=silver"]),
        Vec::<String>::new()
    );
    // The table takes the same filters, sorted or not.
    let table = env.run(&[
        "profiles",
        "list",
        "--tag",
        "client=acme",
        "--sort",
        "status",
    ]);
    table.success();
    assert!(
        table.stdout.lines().any(|l| l.starts_with("b ")),
        "{}",
        table.stdout
    );
    assert!(
        !table.stdout.lines().any(|l| l.starts_with("c ")),
        "{}",
        table.stdout
    );
    env.run(&["profiles", "show", "a"])
        .success()
        .stdout_has("owner:")
        .stdout_has("ops@example.com")
        .stdout_has("client=acme, tier=gold");
    // Removing: a tag, and the owner with "".
    env.run(&["profiles", "edit", "a", "--untag", "tier", "--owner", ""])
        .success()
        .stderr_has("a: no owner; client=acme");
    let a = &env.run(&["profiles", "list", "--json"]).json()[0];
    assert_eq!(a["owner"], serde_json::Value::Null);
    assert_eq!(a["tags"], serde_json::json!({"client": "acme"}));
}

#[test]
fn bad_labels_are_refused_and_change_nothing() {
    let env = labelled();
    let before = env.run(&["profiles", "list", "--json"]).json();
    for (args, says) in [
        (&["profiles", "edit", "a"][..], "nothing to change for a"),
        (
            &["profiles", "edit", "a", "--owner", "ops"],
            "invalid owner `ops`",
        ),
        (
            &["profiles", "edit", "a", "--tag", "Client=acme"],
            "invalid tag key `Client`",
        ),
        (
            &["profiles", "edit", "a", "--tag", "client"],
            "write it key=value",
        ),
        (
            &["profiles", "edit", "a", "--tag", "client="],
            "invalid value for tag `client`",
        ),
        (
            &["profiles", "edit", "a", "--tag", "k=v", "--untag", "k"],
            "both set and removed",
        ),
        (
            &["profiles", "edit", "nosuch", "--owner", "ops@example.com"],
            "nosuch",
        ),
        (&["profiles", "list", "--tag", "nope"], "write it key=value"),
    ] {
        env.run(args).code(2).stderr_has(says);
    }
    assert_eq!(env.run(&["profiles", "list", "--json"]).json(), before);
}

#[test]
fn labels_go_through_add_export_and_import_and_outlive_other_writes() {
    let env = labelled();
    env.run_with_stdin(
        &[
            "profiles",
            "add",
            "d",
            "--network",
            "x",
            "--with-token",
            "--owner",
            "d@example.com",
            "--tag",
            "client=dee",
        ],
        "tok-d",
    )
    .success();
    assert_eq!(
        env.ids(&["--owner", "d@example.com", "--tag", "client=dee"]),
        ["d"]
    );
    // A write of sbctl's own (check finds b's token gone) leaves the labels as they are.
    env.set_secret("profile:b", None);
    env.run(&["check"]).code(3);
    let b = &env.run(&["profiles", "list", "--json"]).json()[1];
    assert_eq!(b["status"], "reauth_required");
    assert_eq!(b["tags"], serde_json::json!({"client": "acme"}));
    // Export and import: the same labels elsewhere.
    let export = env.run(&["profiles", "export"]);
    export.success();
    assert!(
        export.stdout.contains(r#""owner":"ops@example.com""#),
        "{}",
        export.stdout
    );
    let other = Env::new();
    other
        .run_with_stdin(&["profiles", "import", "-"], &export.stdout)
        .success();
    let strip = |v: serde_json::Value| -> Vec<(serde_json::Value, serde_json::Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p["owner"].clone(), p["tags"].clone()))
            .collect()
    };
    assert_eq!(
        strip(other.run(&["profiles", "list", "--json"]).json()),
        strip(env.run(&["profiles", "list", "--json"]).json())
    );
    // An import record's bad tag is refused with its line, and nothing is added; a key
    // is never split at an equals sign into another key and value.
    let third = Env::new();
    for (tags, says) in [
        (r#"{"Bad":"1"}"#, "invalid tag key `Bad`"),
        (r#"{"a=b":"c"}"#, "invalid tag key `a=b`"),
    ] {
        third
            .run_with_stdin(
                &["profiles", "import", "-"],
                &format!("{{\"id\":\"e\",\"network\":\"x\",\"tags\":{tags}}}\n"),
            )
            .code(1)
            .stderr_has(says);
    }
    assert_eq!(third.profile_count(), 0);
}

#[test]
fn the_report_and_the_notifications_say_whose_each_profile_is() {
    let env = labelled();
    let log = env.root().join("events.jsonl");
    env.write_config(&format!(
        "[notify]\ndigest = true\ncommand = \"cat >> '{}'; echo >> '{}'\"\n",
        log.display(),
        log.display()
    ));
    // a and c break: a is someone's, c nobody's.
    for id in ["a", "c"] {
        env.set_secret(&format!("profile:{id}"), None);
    }
    env.run(&["check"]).code(3);
    let events: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "one digest: {events:?}");
    let digest = &events[0];
    let entries = digest["profiles"].as_array().unwrap();
    let a = entries.iter().find(|e| e["profile"]["id"] == "a").unwrap();
    assert_eq!(a["owner"], "ops@example.com");
    assert_eq!(a["tags"]["client"], "acme");
    let c = entries.iter().find(|e| e["profile"]["id"] == "c").unwrap();
    assert_eq!(c["owner"], serde_json::Value::Null);
    let summary = digest["summary"].as_str().unwrap();
    assert!(
        summary.contains("\nfor ops@example.com: a\nfor no owner: c"),
        "{summary}"
    );
    // The report: a column, and the timeline's tooltip names the owner.
    let report = env.root().join("report.html");
    env.run(&["report", "--html", report.to_str().unwrap()])
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<th>Owner, tags</th>"), "no column");
    assert!(
        html.contains("<td>ops@example.com, client=acme, tier=gold</td>"),
        "no owner cell"
    );
    assert!(
        html.contains("a (ops@example.com)"),
        "no owner in the timeline"
    );
    // What a tag says is shown, never run.
    env.run(&["profiles", "edit", "a", "--tag", "note=<script>x</script>&"])
        .success();
    env.run(&["report", "--html", report.to_str().unwrap()])
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        !html.contains("<script>"),
        "a tag reached the page as markup"
    );
    assert!(html.contains("&lt;script&gt;"), "the tag is not shown");
}
