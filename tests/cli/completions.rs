//! Generated files guarded by tests: completion scripts and the manual page.

use crate::support::Env;

#[test]
fn checked_in_completions_match_the_binary() {
    let env = Env::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "sbctl.bash"),
        ("zsh", "_sbctl"),
        ("fish", "sbctl.fish"),
        ("elvish", "sbctl.elv"),
        ("powershell", "_sbctl.ps1"),
    ] {
        let run = env.run(&["completions", shell]);
        run.success();
        let checked_in = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            run.stdout == checked_in,
            "completions/{file} is out of date: run scripts/update-completions"
        );
    }
    env.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn man_page_renders_from_the_clap_definitions() {
    let run = Env::new().run(&["man"]);
    run.success()
        .stdout_has(".TH sbctl 1")
        .stdout_has("profiles")
        .stdout_has("\\-\\-secret\\-store");
}

#[test]
fn every_page_the_manual_names_is_written() {
    let env = Env::new();
    let main = env.run(&["man"]);
    main.success();
    let dir = env.root().join("man1");
    env.run(&["man", "--dir", dir.to_str().unwrap()])
        .code(1)
        .stderr_has("is not a directory");
    std::fs::create_dir(&dir).unwrap();
    env.run(&["man", "--dir", dir.to_str().unwrap()]).success();
    // Each `sbctl-xxx(1)` that sbctl(1) refers to is there.
    let named: Vec<&str> = main
        .stdout
        .split("sbctl\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name))
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c == '\\' || c == '-')
        })
        .collect();
    assert!(named.len() >= 10, "{named:?}");
    for name in named {
        let file = dir.join(format!("sbctl-{}.1", name.replace("\\-", "-")));
        assert!(file.exists(), "{} is named but not written", file.display());
    }
    assert!(dir.join("sbctl-profiles-add.1").exists());
    assert!(dir.join("sbctl.1").exists());
}
