//! `sbctl report --html`: a self-contained page, rendered in a real headless Chromium.

use crate::support::Env;

#[test]
#[ignore = "needs Node.js and Chromium (playwright-core); scripts/test runs it"]
fn the_report_renders_each_profile_in_a_real_browser() {
    let env = Env::new();
    env.add("fine", "x", r#"{"access_token":"t","expires_in":8640000}"#);
    env.add(
        "soon",
        "linkedin",
        r#"{"access_token":"t","expires_in":259300}"#,
    );
    env.add("broken", "facebook", "t");
    env.sql("UPDATE profiles SET reauth_reason = 'password_changed', account_name = '<script>alert(1)</script> & Co' WHERE id = 'broken'");
    let page = env.root().join("report.html");
    env.run(&["report", "--html", page.to_str().unwrap()])
        .success()
        .stderr_has("(3 profiles)");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(!html.contains("<script"), "no script of any kind");
    assert_eq!(crate::support::mode(&page), 0o644);

    let shot = env.root().join("report.png");
    let node_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/node");
    let out = std::process::Command::new("node")
        .arg(node_dir.join("render.mjs"))
        .arg(&page)
        .arg(&shot)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = seen["text"].as_str().unwrap();
    for expected in [
        "Reauth required",
        "broken",
        "Reauth required: password changed",
        "sbctl reauth broken",
        "<script>alert(1)</script> & Co",
        "Expiring",
        "soon",
        "Expiring in 3d",
        "tester@testhost",
        "Deadlines in the next 90 days",
    ] {
        assert!(
            text.contains(expected),
            "the page lacks {expected:?}:\n{text}"
        );
    }
    assert_eq!(seen["title"], "sbctl report");
    assert_eq!(seen["svgs"], 1);
    assert!(seen["bars"].as_u64().unwrap() >= 2, "{seen}");
    assert_eq!(seen["scripts"], 0);
    assert_eq!(seen["requests"], serde_json::json!([]), "self-contained");
    assert_eq!(seen["errors"], serde_json::json!([]));
    // The urgent groups open, the OK one folded.
    assert_eq!(seen["open"], serde_json::json!([true, true, false]));
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );
}
