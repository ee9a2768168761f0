//! `sbctl authorize` on a machine with a browser, its line applied on a server with
//! `reauth --with-token` and `profiles add --with-token`: two sealed environments, the
//! network's double between them.

use crate::support::doubles::scene;
use crate::support::Env;

/// The server's recipient, as `sbctl secrets recipient` prints it.
fn recipient(server: &Env) -> String {
    let run = server.run(&["secrets", "recipient"]);
    run.success();
    let line = run.stdout.trim().to_owned();
    assert!(line.starts_with("age1"), "{line}");
    line
}

/// `sbctl authorize x` on `laptop`, with more flags; the line it printed.
fn authorize(laptop: &Env, more: &[&str]) -> String {
    let mut args = vec!["authorize", "x", "--timeout", "30s"];
    args.extend_from_slice(more);
    let run = laptop.run(&args);
    run.success();
    assert_eq!(run.stdout.lines().count(), 1, "one line: {}", run.stdout);
    run.stdout
}

#[test]
fn a_sign_in_sealed_on_a_laptop_replaces_a_servers_token_once() {
    let mut s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    let before = s.tokens("acme");
    let to = recipient(&s.env);
    let mut laptop = s.env.elsewhere();

    let line = authorize(&laptop, &["--to", &to]);
    assert!(line.starts_with("sbctl-sealed:"), "{line}");
    assert!(
        !laptop.db_path().exists() && !laptop.secrets_path().exists(),
        "the laptop keeps nothing"
    );
    // A renewal of the old grant meanwhile is no newer sign-in.
    s.env.set("SBCTL_TEST_CLOCK_OFFSET", "5");
    s.env
        .run(&["refresh", "acme", "--force"])
        .success()
        .stdout_has("1 renewed");
    s.env.unset("SBCTL_TEST_CLOCK_OFFSET");

    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line)
        .success()
        .stderr_has("acme: connected again as ann (x): OK");
    let after = s.tokens("acme");
    assert_ne!(after["access_token"], before["access_token"]);
    assert!(
        !line.contains(after["access_token"].as_str().unwrap()),
        "the line is sealed"
    );
    // The same line again changes nothing.
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line)
        .code(1)
        .stderr_has("error: acme: this sign-in was given to acme already; nothing was changed");
    assert_eq!(s.tokens("acme"), after);

    // A later sign-in, applied later; then the first line is older than it.
    laptop.set("SBCTL_TEST_CLOCK_OFFSET", "20");
    let later = authorize(&laptop, &["--to", &to]);
    s.env.set("SBCTL_TEST_CLOCK_OFFSET", "20");
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &later)
        .success();
    let now = s.tokens("acme");
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line)
        .code(1)
        .stderr_has("error: acme: this sign-in was made at ")
        .stderr_has(", before the last sign-in for acme (at ")
        .stderr_has("run `sbctl authorize x` again");
    assert_eq!(s.tokens("acme"), now, "nothing was changed");
    s.env.unset("SBCTL_TEST_CLOCK_OFFSET");

    // A line from a clock an hour ahead is not believed.
    laptop.set("SBCTL_TEST_CLOCK_OFFSET", "3600");
    let ahead = authorize(&laptop, &["--to", &to]);
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &ahead)
        .code(1)
        .stderr_has("which is still to come here");
    assert_eq!(s.tokens("acme"), now);
}

#[test]
fn a_line_sealed_to_another_host_is_refused_by_name() {
    let s = scene("x", Vec::new());
    let other = s.env.elsewhere();
    let line = authorize(&s.env.elsewhere(), &["--to", &recipient(&other)]);
    s.env.add("acme", "x", "tok-before");
    let mine = recipient(&s.env);
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line)
        .code(1)
        .stderr_has(&format!(
            "error: acme: the line was sealed to another recipient, not to this host's ({mine})"
        ))
        .stderr_has("hint: on the machine with the browser, run `sbctl authorize ... --to`");
    assert_eq!(s.tokens("acme")["access_token"], "tok-before");
    // Cut short, it is damaged, and says so.
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line[..40])
        .code(1)
        .stderr_has("error: acme: the sealed line is damaged");
    // A recipient mistyped is refused before anyone signs in.
    s.env
        .elsewhere()
        .run(&["authorize", "x", "--to", "age1typo"])
        .code(2)
        .stderr_has("error: `age1typo` is not an age recipient (age1…)");
    assert_eq!(s.double.calls("/2/oauth2/token"), 1, "one sign-in only");
}

#[test]
fn a_line_of_another_account_or_network_changes_nothing() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    let before = s.tokens("acme");
    let to = recipient(&s.env);
    s.sign_in_as("u-bob", "Bob");
    let line = authorize(&s.env.elsewhere(), &["--to", &to]);
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], &line)
        .code(1)
        .stderr_has("error: acme: signed in as bob (`u-bob`), but acme is ann (`u-ann`); nothing was changed")
        .stderr_has("--allow-account-change");
    assert_eq!(s.tokens("acme"), before);
    s.env
        .run_with_stdin(
            &["reauth", "acme", "--with-token", "--allow-account-change"],
            &line,
        )
        .success()
        .stderr_has("acme: connected again as bob (x)");
    assert_eq!(s.show("acme")["account_id"], "u-bob");

    // A line of one network is not another network's sign-in.
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    s.env.write_config(&format!(
        "{config}\n[providers.corp]\nclient_id = \"c\"\nclient_auth = \"none\"\nauthorize_url = \"http://127.0.0.1:9/a\"\ntoken_url = \"http://127.0.0.1:9/t\"\n"
    ));
    s.env.add("other", "corp", "tok-corp");
    s.env
        .run_with_stdin(&["reauth", "other", "--with-token"], &line)
        .code(1)
        .stderr_has("error: other: this is a sign-in at x, not at corp; nothing was changed");
}

#[test]
fn a_plain_line_adds_a_profile_with_the_scopes_asked_for_here() {
    let s = scene("x", Vec::new());
    // The server asks for a scope the laptop's config does not.
    let laptop = s.env.elsewhere();
    let config = std::fs::read_to_string(s.env.config_path()).unwrap();
    s.env.write_config(&config.replace(
        "[providers.x]\n",
        "[providers.x]\nscopes = [\"tweet.read\", \"users.read\", \"offline.access\", \"tweet.write\"]\n",
    ));
    laptop.write_config(&config.replace(
        "[providers.x]\n",
        "[providers.x]\nscopes = [\"tweet.read\", \"users.read\", \"offline.access\"]\n",
    ));
    let run = laptop.run(&["authorize", "x", "--timeout", "30s"]);
    run.success()
        .stderr_has("warning: the line below holds the tokens in the clear");
    let line = run.stdout;
    let plain: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(plain["account_id"], "u-ann");
    assert_eq!(plain["made_by"], "tester@testhost");
    // A line made for another app (client id) is not this server's.
    let mut other_app = plain.clone();
    other_app["client_id"] = "staging-app".into();
    s.env
        .run_with_stdin(
            &["profiles", "add", "acme", "--network", "x", "--with-token"],
            &other_app.to_string(),
        )
        .code(1)
        .stderr_has("this sign-in was made for the app `staging-app`, and x's app here is `app-x`");
    // A line whose token does not work at the network is no sign-in.
    let mut forged = plain.clone();
    forged["token"]["access_token"] = "made-up".into();
    s.env
        .run_with_stdin(
            &["profiles", "add", "acme", "--network", "x", "--with-token"],
            &forged.to_string(),
        )
        .code(1)
        .stderr_has("error: acme: the token in this sign-in does not work at x");

    // `--account` must be the line's account.
    let add = |more: &[&str]| {
        let mut args = vec!["profiles", "add", "acme", "--network", "x", "--with-token"];
        args.extend_from_slice(more);
        s.env.run_with_stdin(&args, &line)
    };
    add(&["--account", "u-bob"])
        .code(1)
        .stderr_has("error: acme: signed in as ann (`u-ann`), not `u-bob`; nothing was changed");
    assert_eq!(s.env.profile_count(), 0);

    add(&["--owner", "ann@agency.example"])
        .code(3)
        .stderr_has("acme: x granted fewer scopes than asked for; missing: tweet.write");
    let p = s.show("acme");
    assert_eq!(p["account_id"], "u-ann");
    assert_eq!(p["reason"], "scope_missing");
    assert_eq!(p["owner"], "ann@agency.example");
    assert_eq!(p["connected_by"], "tester@testhost");
    assert_eq!(
        s.tokens("acme")["access_token"],
        plain["token"]["access_token"]
    );
}

#[test]
fn a_raw_token_on_reauth_is_held_to_its_account_at_the_network() {
    let s = scene("x", Vec::new());
    s.add("acme", "x", &[]).success();
    // Another sign-in of Ann's, made elsewhere: its access token, given raw.
    let laptop = s.env.elsewhere();
    laptop
        .run(&[
            "profiles",
            "add",
            "ann",
            "--network",
            "x",
            "--timeout",
            "30s",
        ])
        .success();
    let anns: serde_json::Value =
        serde_json::from_str(laptop.secrets()["profile:ann"].as_str().unwrap()).unwrap();
    let raw = anns["access_token"].as_str().unwrap();
    s.env
        .run_with_stdin(&["reauth", "acme", "--with-token"], raw)
        .success()
        .stderr_has("acme: connected again as ann (x)");
    assert_eq!(s.tokens("acme")["access_token"], raw);

    s.sign_in_as("u-bob", "Bob");
    laptop
        .run(&[
            "profiles",
            "add",
            "bob",
            "--network",
            "x",
            "--timeout",
            "30s",
        ])
        .success();
    let bobs: serde_json::Value =
        serde_json::from_str(laptop.secrets()["profile:bob"].as_str().unwrap()).unwrap();
    s.env
        .run_with_stdin(
            &["reauth", "acme", "--with-token"],
            &bobs.to_string(),
        )
        .code(1)
        .stderr_has("error: acme: signed in as bob (`u-bob`), but acme is ann (`u-ann`); nothing was changed")
        .stderr_has("the token given was left as it was (it was made elsewhere)");
    assert_eq!(s.tokens("acme")["access_token"], raw);
    let bob = bobs["access_token"].as_str().unwrap();
    assert!(
        s.double.state().tokens[bob].dead.is_none(),
        "a token given is never revoked here"
    );
}
