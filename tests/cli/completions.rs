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
