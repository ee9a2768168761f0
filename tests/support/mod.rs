//! A sealed environment for running the real `sbctl` binary: every path in a temp dir,
//! the environment cleared, fixed terminal width.

pub mod dot;
pub mod doubles;
pub mod keyring;
pub mod oidc;
pub mod proxy;

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub struct Env {
    dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr together, for snapshots.
    pub fn snapshot(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success:\n{}", self.snapshot());
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "expected exit {code}:\n{}",
            self.snapshot()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.snapshot()
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.snapshot()
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.snapshot()))
    }
}

impl Env {
    /// A new environment using the file secret store.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = |s: &str| dir.path().join(s).display().to_string();
        let vars = vec![
            ("HOME".into(), p("home")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("USER".into(), "tester".into()),
            ("HOSTNAME".into(), "testhost".into()),
            ("COLUMNS".into(), "100".into()),
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            ("SBCTL_SECRET_STORE".into(), "file".into()),
            // The binary stops loudly if a test makes it reach past this machine.
            ("SBCTL_TEST_LOOPBACK_ONLY".into(), "1".into()),
        ];
        Env { dir, vars }
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
        self
    }

    /// The ids `profiles list --json` gives with these arguments, in order.
    pub fn ids(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["profiles", "list", "--json"];
        all.extend_from_slice(args);
        self.run(&all)
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Another machine set up alike: its own directories, the same config file and
    /// the same variables (paths into this one's directory moved into its own).
    pub fn elsewhere(&self) -> Env {
        let mut other = Env::new();
        let (from, to) = (
            self.root().display().to_string(),
            other.root().display().to_string(),
        );
        other.vars = self
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), v.replace(&from, &to)))
            .collect();
        if let Ok(config) = std::fs::read_to_string(self.config_path()) {
            other.write_config(&config);
        }
        other
    }

    pub fn unset(&mut self, key: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Where sbctl keeps its database when nothing overrides it.
    pub fn db_path(&self) -> PathBuf {
        self.root().join("data/sbctl/sbctl.db")
    }

    pub fn secrets_path(&self) -> PathBuf {
        self.root().join("data/sbctl/secrets.db")
    }

    pub fn config_path(&self) -> PathBuf {
        self.root().join("config/sbctl/config.toml")
    }

    pub fn write_config(&self, text: &str) {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// sbctl with this environment, as a plain process (for running it in the background).
    pub fn std_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sbctl"));
        cmd.args(args);
        self.apply(cmd)
    }

    /// sbctl started in the background, its output thrown away.
    pub fn spawn_silent(&self, args: &[&str]) -> std::process::Child {
        self.std_command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sbctl starts")
    }

    /// sbctl started with `args`, once it stopped itself at the debug build's pause
    /// point `moment` (`SBCTL_TEST_PAUSE`): the test may look around, then kill it
    /// there or let it go on (SIGCONT). Its output is kept.
    pub fn pause_at(&self, moment: &str, args: &[&str]) -> std::process::Child {
        let paused = self.root().join("paused");
        let _ = std::fs::remove_file(&paused);
        let mut child = self
            .std_command(args)
            .env("SBCTL_TEST_PAUSE", moment)
            .env("SBCTL_TEST_PAUSED", &paused)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sbctl starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !paused.exists() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "sbctl ended before {moment}"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "sbctl never reached {moment}"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        // The marker is written just before sbctl stops itself: wait for the stop.
        let stat = format!("/proc/{}/stat", child.id());
        while !std::fs::read_to_string(&stat).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('T'))
        }) {
            assert!(
                std::time::Instant::now() < deadline,
                "sbctl never stopped at {moment}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child
    }

    /// sbctl killed (SIGKILL: nothing of it runs after) at the pause point `moment`.
    pub fn kill_at(&self, moment: &str, args: &[&str]) {
        let mut child = self.pause_at(moment, args);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// sbctl started in the background, its output kept for the test.
    pub fn spawn_piped(&self, args: &[&str]) -> std::process::Child {
        self.std_command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sbctl starts")
    }

    /// Gives any command this sealed environment.
    pub fn apply(&self, mut cmd: std::process::Command) -> std::process::Command {
        cmd.env_clear().envs(self.vars.iter().cloned());
        cmd
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::from_std(self.std_command(args));
        cmd.timeout(std::time::Duration::from_secs(90));
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let out = self
            .command(args)
            .write_stdin(stdin)
            .output()
            .expect("sbctl runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Adds a profile from a token response; panics unless that works.
    pub fn add(&self, id: &str, network: &str, token: &str) {
        self.try_add(id, network, token).success();
    }

    /// An X profile with a refresh token, its access token good for 100 days.
    pub fn add_renewable(&self, id: &str) {
        self.add(
            id,
            "x",
            r#"{"access_token":"t","refresh_token":"r","expires_in":8640000}"#,
        );
    }

    /// `profiles add ID --network NETWORK --with-token`, the token on stdin, however
    /// it ends.
    pub fn try_add(&self, id: &str, network: &str, token: &str) -> Run {
        self.run_with_stdin(
            &["profiles", "add", id, "--network", network, "--with-token"],
            token,
        )
    }

    /// Runs SQL against the database, as a test's way to stage states that only later
    /// capabilities (renewal, online checks) produce.
    /// `sbctl <args>` with a terminal for its stdin (through `script`), stdin and stdout
    /// piped to the test.
    pub fn spawn_at_terminal(&self, args: &str) -> std::process::Child {
        let sbctl = assert_cmd::cargo::cargo_bin("sbctl");
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec"])
            .arg(format!("{} {args}", sbctl.display()))
            .arg("/dev/null");
        self.apply(cmd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script(1) runs")
    }

    /// `sbctl <args>` at a terminal (`spawn_at_terminal`), read as it writes, for a
    /// test that answers its questions.
    pub fn at_terminal(&self, args: &str) -> Terminal {
        use std::io::Read;
        let mut child = self.spawn_at_terminal(args);
        let shown = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let reader = {
            let (shown, mut out) = (shown.clone(), child.stdout.take().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = out.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    shown.lock().unwrap().push_str(&text);
                }
            })
        };
        Terminal {
            child,
            shown,
            reader,
        }
    }

    pub fn sql(&self, sql: &str) {
        rusqlite::Connection::open(self.db_path())
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    /// How many profiles `profiles list --json` shows.
    pub fn profile_count(&self) -> usize {
        self.run(&["profiles", "list", "--json"])
            .json()
            .as_array()
            .expect("a JSON array")
            .len()
    }

    /// One number from the database, as a test's way to watch what a run is doing.
    pub fn scalar(&self, sql: &str) -> i64 {
        rusqlite::Connection::open(self.db_path())
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// The file secret store's values by name (a sealed value as `null`).
    pub fn secrets(&self) -> serde_json::Map<String, serde_json::Value> {
        if !self.secrets_path().exists() {
            return Default::default();
        }
        let conn = rusqlite::Connection::open(self.secrets_path()).unwrap();
        let mut rows = conn
            .prepare("SELECT name, value, sealed FROM secrets ORDER BY name")
            .unwrap();
        rows.query_map([], |r| {
            let (name, value, sealed): (String, Vec<u8>, bool) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let value = match sealed {
                true => serde_json::Value::Null,
                false => serde_json::Value::String(String::from_utf8(value).unwrap()),
            };
            Ok((name, value))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    /// Changes the file secret store behind sbctl's back: `None` deletes the value.
    pub fn set_secret(&self, name: &str, value: Option<&str>) {
        let conn = rusqlite::Connection::open(self.secrets_path()).unwrap();
        match value {
            Some(v) => conn.execute(
                "INSERT OR REPLACE INTO secrets (name, value, sealed) VALUES (?1, CAST(?2 AS BLOB), 0)",
                [name, v],
            ),
            None => conn.execute("DELETE FROM secrets WHERE name = ?1", [name]),
        }
        .unwrap();
    }
}

/// The tests' plain browser (`tests/support/bin/follow-page`): it reads the private
/// page sbctl gives a browser and follows the authorize URL in it with curl.
pub fn follow_page() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/bin/follow-page").to_owned()
}

/// A port of 127.0.0.1 that nothing listens on (until someone binds it): for a
/// redirect URI registered with an exact port, or an endpoint that refuses.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// What an SQLite file holds: the file, its log and journal. Not `-shm`, the log's
/// index in shared memory, which every reader rewrites (sbctl keeps it between runs)
/// and which holds no data.
pub fn stored_bytes(path: &Path) -> Vec<u8> {
    ["", "-wal", "-journal"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", path.display())).ok())
        .flatten()
        .collect()
}

/// All bytes of a file and its SQLite companions (`-wal`, `-shm`), for leak checks.
pub fn bytes_with_companions(path: &Path) -> Vec<u8> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", path.display())).ok())
        .flatten()
        .collect()
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// sbctl running at a terminal: what it has shown so far, and its keyboard.
pub struct Terminal {
    child: std::process::Child,
    shown: std::sync::Arc<std::sync::Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl Terminal {
    /// Waits (30 s at most) until the terminal shows `text`.
    pub fn wait_for(&self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !self.shown.lock().unwrap().contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "never shown {text:?}:\n{}",
                self.shown.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Types a line and presses Enter.
    pub fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
    }

    /// Waits for sbctl to end: its exit status and all it showed.
    pub fn finish(mut self) -> (std::process::ExitStatus, String) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        self.reader.join().unwrap();
        let shown = self.shown.lock().unwrap().clone();
        (status, shown)
    }
}
