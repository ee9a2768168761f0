//! The one error type that reaches `main`: its kind picks the exit code (SPEC.md
//! "Exit codes"); it keeps what caused it and the hints that tell the user what to do
//! next.

use std::fmt;

/// What a finished command reports besides plain success: the SPEC exit codes 3, 4, 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attention {
    /// Nothing needs attention (exit 0).
    None,
    /// One or more profiles need re-authorization (exit 3).
    Reauth,
    /// Stopped by this signal after finishing what was sent (exit 128 + signal: 130
    /// for SIGINT, 143 for SIGTERM); only 1 and 3 outrank it.
    Interrupted(i32),
    /// One or more renewals failed for a passing reason (exit 4).
    Transient,
    /// Warning only: one or more profiles are expiring (exit 5).
    Expiring,
}

impl Attention {
    pub fn exit_code(self) -> u8 {
        match self {
            Attention::None => 0,
            Attention::Reauth => 3,
            Attention::Interrupted(signal) => 128u8.saturating_add(signal as u8),
            Attention::Transient => 4,
            Attention::Expiring => 5,
        }
    }

    /// Combines two outcomes: the lowest non-zero exit code of 3, 4 and 5 wins (SPEC),
    /// and an interruption ranks after 3.
    pub fn and(self, other: Attention) -> Attention {
        match (self, other) {
            (Attention::None, x) | (x, Attention::None) => x,
            (a, b) => a.min(b),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command failed: bad config, I/O, database, rejected flow (exit 1).
    Failed,
    /// The command line itself is wrong (exit 2).
    Usage,
    /// The profile concerned needs re-authorization (exit 3).
    NeedsReauth,
    /// A renewal failed for a passing reason; try again later (exit 4).
    Transient,
}

/// A user-facing failure: one line of what happened, what caused it (the errors
/// below, outermost first), and what to do, each said on a line of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub causes: Vec<String>,
    pub hints: Vec<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            causes: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Failed, message)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Usage, message)
    }

    pub fn needs_reauth(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::NeedsReauth, message)
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Error::of(ErrorKind::Transient, message)
    }

    /// One more thing to do about it, after those already said.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The same error, with what caused it (`cause` and its sources in turn).
    pub fn caused_by(mut self, cause: &dyn std::error::Error) -> Self {
        let mut next = Some(cause);
        while let Some(e) = next {
            self.causes.push(e.to_string());
            next = e.source();
        }
        self
    }

    /// The same error as the cause of a failure told in `message`: its message and
    /// causes become the causes, its hints stay.
    pub fn within(self, message: impl Into<String>) -> Self {
        let mut causes = vec![self.message];
        causes.extend(self.causes);
        Error {
            kind: self.kind,
            message: message.into(),
            causes,
            hints: self.hints,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Failed => 1,
            ErrorKind::Usage => 2,
            ErrorKind::NeedsReauth => 3,
            ErrorKind::Transient => 4,
        }
    }
}

/// In one line, where one line is all there is room for (a profile's last error, a
/// warning): the message, its causes and its hints, `; ` between.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for cause in &self.causes {
            write!(f, "; caused by: {cause}")?;
        }
        for hint in &self.hints {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The same error, said of `what`: `what: message`.
    pub fn about(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

/// The error of a layer below the commands (the store, the secret store), which knows
/// its own fix: it becomes the CLI error with `?`, the hint carried along.
pub trait Explained: std::error::Error {
    fn hint(&self) -> Option<String>;
}

impl<E: Explained> From<E> for Error {
    fn from(e: E) -> Self {
        let mut error = Error::failed(e.to_string());
        if let Some(source) = e.source() {
            error = error.caused_by(source);
        }
        error.hints.extend(e.hint());
        error
    }
}

/// An I/O error in words, without Rust's "(os error 13)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::AlreadyExists => "it already exists".into(),
        K::StorageFull => "the disk is full".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_non_zero_exit_code_wins() {
        use Attention::*;
        assert_eq!(None.and(None), None);
        assert_eq!(None.and(Expiring), Expiring);
        assert_eq!(Expiring.and(Transient), Transient);
        assert_eq!(Transient.and(Reauth), Reauth);
        assert_eq!(Reauth.and(Expiring).exit_code(), 3);
    }
}
