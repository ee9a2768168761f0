//! Every command that reads the whole fleet streams it: its peak memory does not grow
//! with the number of profiles. Measured as the peak resident set of the process
//! (`wait4`'s rusage) at 20,000 and at 100,000 profiles: a command that held the
//! fleet would need 18 MB more at 100,000 (at least 230 bytes a profile, what the
//! table alone took), one that streams stays within a few MB. From 20,000 on,
//! SQLite's own page caches (2 MB a database) are full at both sizes, so what is left
//! to grow is sbctl's. Not a time: speed is the benchmarks' business.

use crate::support::Env;

/// A fleet of `n` profiles of the built-in network `x`, written straight into the
/// database and the secrets file (sbctl made both): every tenth expired with no way
/// to renew, so that `check` and the report have rows to show.
fn fleet(n: u32) -> Env {
    let env = Env::new();
    env.add("seed", "x", "tok-seed");
    let now = chrono::Utc::now().timestamp();
    let series =
        format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})");
    env.sql(&format!(
        "{series} INSERT INTO profiles (id, network, account_id, account_name, scopes, \
         expires_at, issued_at, renewable, created_at, updated_at) \
         SELECT printf('p%06d', i), 'x', i, 'Account ' || i, '[\"tweet.read\"]', \
         CASE WHEN i % 10 = 0 THEN {now} - 60 ELSE {now} + 5184000 END, {now}, \
         i % 10 != 0, {now}, {now} FROM s"
    ));
    rusqlite::Connection::open(env.secrets_path())
        .unwrap()
        .execute_batch(&format!(
            "{series} INSERT INTO secrets (name, value, sealed) \
             SELECT 'profile:' || printf('p%06d', i), \
             CAST('{{\"access_token\":\"at-' || i || '\"}}' AS BLOB), 0 FROM s"
        ))
        .unwrap();
    env
}

/// The peak resident set of sbctl running `args`, in KiB; it must exit 0 or 3.
// The child is reaped by wait4 (for its rusage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn peak_kib(env: &Env, args: &[&str]) -> i64 {
    // A child starts with this process's peak as its own (it survives exec): give
    // back freed memory and reset the peak first (proc(5), clear_refs).
    // SAFETY: malloc_trim only releases free memory of glibc's heap.
    unsafe {
        libc::malloc_trim(0);
    }
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let child = env
        .std_command(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: waits for our own child; `usage` is a valid rusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let code = libc::WEXITSTATUS(status);
    assert!(
        libc::WIFEXITED(status) && (code == 0 || code == 3),
        "{args:?} exited {status}"
    );
    usage.ru_maxrss
}

#[test]
fn commands_that_read_the_fleet_hold_no_more_of_it_at_100000_than_at_20000() {
    let (small, large) = (fleet(20_000), fleet(100_000));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let report = report.to_str().unwrap();
    let commands: [&[&str]; 9] = [
        &["profiles", "list"],
        &["profiles", "list", "--json"],
        &["profiles", "list", "--sort", "deadline"],
        &["check"],
        &["check", "--json"],
        &["metrics"],
        &["report", "--html", report],
        &["profiles", "export"],
        &["profiles", "export", "--with-secrets"],
    ];
    let mut grew = Vec::new();
    for args in commands {
        let (at_20k, at_100k) = (peak_kib(&small, args), peak_kib(&large, args));
        if at_100k - at_20k > 4 * 1024 {
            grew.push(format!(
                "{args:?}: {at_20k} KiB at 20,000, {at_100k} KiB at 100,000"
            ));
        }
    }
    // Import reads its file as it adds: 50,000 records cost what 20,000 do.
    let records = |n: u32| {
        let path = dir.path().join(format!("import-{n}.jsonl"));
        let lines: String = (0..n)
            .map(|i| {
                format!(
                    "{{\"id\":\"i{i:06}\",\"network\":\"x\",\"account_name\":\"Account {i}\",\"token\":{{\"access_token\":\"at-{i}\",\"refresh_token\":\"rt-{i}\",\"expires_in\":5184000}}}}\n"
                )
            })
            .collect();
        std::fs::write(&path, lines).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (few, many) = (records(20_000), records(50_000));
    let (at_20k, at_50k) = (
        peak_kib(&Env::new(), &["profiles", "import", &few]),
        peak_kib(&Env::new(), &["profiles", "import", &many]),
    );
    if at_50k - at_20k > 4 * 1024 {
        grew.push(format!(
            "import: {at_20k} KiB at 20,000, {at_50k} KiB at 50,000"
        ));
    }
    assert!(
        grew.is_empty(),
        "memory grew with the fleet:\n{}",
        grew.join("\n")
    );
}
