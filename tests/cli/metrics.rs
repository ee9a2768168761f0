//! `sbctl metrics`: Prometheus text that promtool accepts, with each profile's state.

use crate::support::Env;

/// `promtool check metrics` on `text`: its verdict, and what it said.
fn promtool(text: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus) runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
#[ignore = "needs promtool (Debian package prometheus); scripts/test runs it"]
fn metrics_are_prometheus_text_with_each_profiles_state() {
    let env = Env::new();
    env.add("fine", "x", r#"{"access_token":"t","expires_in":8640000}"#);
    env.add(
        "soon",
        "linkedin",
        r#"{"access_token":"t","expires_in":90000}"#,
    );
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'revoked' WHERE id = 'broken'");
    // Two renewals that could not be made (x has no client_id here): counted.
    env.add(
        "flaky",
        "x",
        r#"{"access_token":"t","refresh_token":"r","expires_in":60}"#,
    );
    env.run(&["refresh", "flaky", "--force"]).code(1);
    env.run(&["refresh", "flaky", "--force"]).code(1);

    let run = env.run(&["metrics"]);
    run.success();
    let text = &run.stdout;
    let (ok, said) = promtool(text);
    assert!(ok, "promtool: {said}\n{text}");
    for line in [
        "sbctl_profile_status{id=\"broken\",network=\"facebook\",status=\"reauth_required\"} 1",
        "sbctl_profile_status{id=\"broken\",network=\"facebook\",status=\"ok\"} 0",
        "sbctl_profile_status{id=\"soon\",network=\"linkedin\",status=\"expiring\"} 1",
        "sbctl_profile_status{id=\"fine\",network=\"x\",status=\"ok\"} 1",
        "sbctl_profile_status{id=\"flaky\",network=\"x\",status=\"refresh_failed\"} 1",
        "sbctl_profile_renewal_failures{id=\"flaky\",network=\"x\"} 2",
        "sbctl_profiles{network=\"x\",status=\"ok\"} 1",
        "sbctl_profiles{network=\"facebook\",status=\"reauth_required\"} 1",
    ] {
        assert!(text.contains(line), "no {line}:\n{text}");
    }
    let build = format!(
        "sbctl_build_info{{version=\"{}\",commit=\"",
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(&build) && l.ends_with("\"} 1")),
        "no {build}...:\n{text}"
    );
    let deadline = text
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "sbctl_profile_deadline_timestamp_seconds{id=\"soon\",network=\"linkedin\"} ",
            )
        })
        .unwrap();
    let in_secs = deadline.parse::<i64>().unwrap() - chrono::Utc::now().timestamp();
    assert!((89_000..=90_100).contains(&in_secs), "{in_secs}");

    // --output: replaced at once, readable by the collector, no temp file left.
    let dir = env.root().join("textfile");
    std::fs::create_dir(&dir).unwrap();
    let out = dir.join("sbctl.prom");
    std::fs::write(&out, "old").unwrap();
    env.run(&["metrics", "--output", out.to_str().unwrap()])
        .success();
    let samples = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("sbctl_metrics_generated"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        samples(&std::fs::read_to_string(&out).unwrap()),
        samples(text)
    );
    assert_eq!(crate::support::mode(&out), 0o644);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // It reads the database only: no secret store is opened.
    std::fs::remove_file(env.secrets_path()).unwrap();
    env.run(&["metrics"]).success();
}
