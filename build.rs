//! Records the commit sbctl is built from, and whether the work tree had changes, for
//! `sbctl --version` and the metrics' build info: read here, at build time, so that the
//! binary needs no git. A crate built from its published archive has no `.git`, but
//! Cargo's `.cargo_vcs_info.json` in it names the commit it was packaged from.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `"sha1": "<hex>"` (and `"dirty": true`) from `.cargo_vcs_info.json`, without a
/// JSON parser.
fn packaged_commit() -> Option<String> {
    let text = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    let rest = &text[text.find("\"sha1\"")? + 6..];
    let start = rest.find('"')? + 1;
    let sha: String = rest[start..start + rest[start..].find('"')?]
        .chars()
        .take(12)
        .collect();
    let dirty = text
        .replace(char::is_whitespace, "")
        .contains("\"dirty\":true");
    Some(if dirty { format!("{sha}, dirty") } else { sha })
}

fn main() {
    // A published crate says where it came from; a checkout asks git, about what is
    // compiled only (a README edit does not make the binary dirty).
    let commit = match packaged_commit() {
        Some(c) => c,
        None => match git(&["rev-parse", "--short=12", "HEAD"]) {
            Some(c) => {
                let changes = git(&[
                    "--no-optional-locks",
                    "status",
                    "--porcelain",
                    "--",
                    "src",
                    "build.rs",
                    "Cargo.toml",
                    "Cargo.lock",
                ]);
                if changes.is_some_and(|c| !c.is_empty()) {
                    format!("{c}, dirty")
                } else {
                    c
                }
            }
            None => "unknown".into(),
        },
    };
    println!("cargo:rustc-env=SBCTL_BUILD_COMMIT={commit}");
    // Again when what is compiled changes, or the commit moves.
    for path in ["src", "build.rs", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let dirs = [
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ];
    let head = git(&["symbolic-ref", "-q", "HEAD"]);
    for dir in dirs.iter().flatten().map(Path::new) {
        let files = ["HEAD", "packed-refs"].into_iter().chain(head.as_deref());
        // Only files that are there: Cargo takes a missing one as changed, every time.
        for file in files.map(|f| dir.join(f)).filter(|f| f.exists()) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
}
