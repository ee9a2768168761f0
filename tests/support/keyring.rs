//! A Secret Service of one test's own: a D-Bus session bus and gnome-keyring (unlocked,
//! a fresh login keyring) that nobody else uses, so that a test may lock the keyring,
//! count or delete its items, or fill it, without touching the suite's shared one.
//! Needs `dbus-daemon`, `dbus-send`, `gnome-keyring-daemon` and `secret-tool` (the
//! Debian packages dbus-daemon, dbus-bin, gnome-keyring and libsecret-tools). Also
//! used by the benchmarks.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateKeyring {
    bus: Child,
    daemon: Child,
    /// `DBUS_SESSION_BUS_ADDRESS` for the programs that should use it.
    pub address: String,
    _home: tempfile::TempDir,
}

impl PrivateKeyring {
    pub fn start() -> PrivateKeyring {
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (Debian package dbus-daemon)");
        let mut address = String::new();
        std::io::BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        // Its own runtime and data directories: its own control socket and keyring.
        let (run, data) = (home.path().join("run"), home.path().join("data"));
        for dir in [&run, &data] {
            std::fs::create_dir(dir).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", &data)
            .env("HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (Debian package gnome-keyring)");
        {
            use std::io::Write;
            let mut stdin = daemon.stdin.take().unwrap();
            stdin.write_all(b"sbctl-test").unwrap();
        }
        let keyring = PrivateKeyring {
            bus,
            daemon,
            address,
            _home: home,
        };
        // `--unlock` returns before the daemon owns its name on the bus.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !keyring
            .dbus(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .contains("boolean true")
        {
            assert!(
                Instant::now() < deadline,
                "the Secret Service did not appear"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        keyring
    }

    /// A method call on the bus, its reply as dbus-send prints it.
    fn dbus(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .arg("--print-reply")
            .args(args)
            .output()
            .expect("dbus-send runs (Debian package dbus-bin)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Locks the login keyring, as the desktop does after a while or at suspend.
    pub fn lock(&self) {
        let reply = self.dbus(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        assert!(reply.contains("collection/login"), "not locked: {reply}");
    }

    fn secret_tool(&self, args: &[&str]) -> std::process::Output {
        Command::new("secret-tool")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args(args)
            .output()
            .expect("secret-tool runs (Debian package libsecret-tools)")
    }

    /// The names (`username`) of the items kept for service `sbctl`, sorted, as
    /// libsecret (not sbctl) finds them.
    pub fn items(&self) -> Vec<String> {
        let out = self.secret_tool(&["search", "--all", "service", "sbctl"]);
        // It exits 0 when nothing matches, 1 when it could not ask.
        assert!(out.status.success(), "secret-tool search failed");
        // The attributes go to stdout or stderr, depending on the version.
        let text = [out.stdout, out.stderr].concat();
        let mut names: Vec<String> = String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    /// An item's value, as libsecret finds it.
    pub fn lookup(&self, name: &str) -> Option<String> {
        let out = self.secret_tool(&["lookup", "service", "sbctl", "username", name]);
        // Nothing found is exit 1 and silent; a failure to ask says why.
        assert!(
            out.status.success() || out.stderr.is_empty(),
            "secret-tool lookup failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Stores an item as keyring (and so sbctl 0.2) writes one, over the one there.
    pub fn store(&self, name: &str, value: &str) {
        use std::io::Write;
        let mut child = Command::new("secret-tool")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "store",
                "--label=sbctl test",
                "service",
                "sbctl",
                "username",
                name,
            ])
            .args(["target", "default", "application", "rust-keyring"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool runs (Debian package libsecret-tools)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "secret-tool store failed");
    }

    /// Deletes an item, as a user might in their keyring manager.
    pub fn delete(&self, name: &str) {
        let out = self.secret_tool(&["clear", "service", "sbctl", "username", name]);
        assert!(out.status.success(), "secret-tool clear failed");
        assert_eq!(self.lookup(name), None);
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        for child in [&mut self.daemon, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
