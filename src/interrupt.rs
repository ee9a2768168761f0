//! Stopping without losing a grant. A command with requests out (`refresh`, `token`,
//! `check --online`, and `reauth`/`profiles add` from the code exchange on) takes
//! SIGINT and SIGTERM: the first asks it to start nothing new and finish what it has
//! sent (a rotating provider has already retired the refresh token it was shown, so
//! its answer must be stored); a second aborts at once.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

pub use signal_hook::consts::{SIGINT, SIGTERM};

/// The first signal received, 0 while none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// From now on, SIGINT and SIGTERM are taken as above (once per process); `warn` says
/// that a second signal stops at once (the caller's door to the terminal).
pub fn install(warn: fn(&str)) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            // Without a handler the default stands: the process ends at once, and the
            // next run reports any renewal cut off, as after SIGKILL.
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                if RECEIVED
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    // Said at once: what is in flight may take up to http_timeout.
                    warn("stopping: finishing the requests in flight and starting nothing new; interrupt again to stop at once");
                } else {
                    // The one exit outside main: the main thread may be blocked on a
                    // request, and a second signal means "now".
                    warn("interrupted again: stopping now; renewals in flight may be lost (the next run reports them)");
                    std::process::exit(128 + signal);
                }
            }
        });
    });
}

/// The signal that asked this process to stop, if one did.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Sleeps `duration`, or less when a stop is asked for; `false` if it was.
pub fn sleep(duration: Duration) -> bool {
    let until = Instant::now() + duration;
    while received().is_none() {
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
    false
}

/// A test's way to hold sbctl at a named moment, to kill it exactly there or let it go
/// on later: when `SBCTL_TEST_PAUSE` names this moment, sbctl creates the file
/// `SBCTL_TEST_PAUSED` names and stops itself (SIGSTOP, as a suspended laptop or a
/// stalled VM would be), going on at SIGCONT. Debug builds only: a released sbctl has
/// no such hook.
#[cfg(debug_assertions)]
pub fn pause_point(moment: &str) {
    if std::env::var("SBCTL_TEST_PAUSE").as_deref() != Ok(moment) {
        return;
    }
    if let Some(marker) = std::env::var_os("SBCTL_TEST_PAUSED") {
        let _ = std::fs::write(marker, moment);
    }
    // SAFETY: raise has no memory preconditions.
    unsafe { libc::raise(libc::SIGSTOP) };
}
