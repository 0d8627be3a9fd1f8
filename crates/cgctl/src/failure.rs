//! cgctl's own failures and their exit codes.

use std::fmt;

/// cgctl failed before or around the command (exit status 125), or could not start
/// it (126, 127).
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
    pub hint: Option<String>,
}

/// Exit status when cgctl itself fails.
pub const EXIT_CGCTL: i32 = 125;
/// Exit status when the command cannot be executed.
pub const EXIT_CANNOT_EXEC: i32 = 126;
/// Exit status when the command is not found.
pub const EXIT_NOT_FOUND: i32 = 127;

impl Failure {
    /// A bad flag or value.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_CGCTL,
            message: message.into(),
            hint: None,
        }
    }

    /// An error from the cgroup libraries, with a hint chosen from its kind.
    pub fn from_core(e: cgroups_core::Error) -> Failure {
        use cgroups_core::ErrorKind as K;
        let hint = match e.kind() {
            K::PermissionDenied => Some("cgctl needs root (or a delegated cgroup) for this"),
            K::ControllerUnavailable => Some(
                "this kernel or cgroup layout lacks that controller: drop the flag, or \
                 choose hierarchies with --controllers",
            ),
            K::UnsupportedLayout => Some("see `cgctl info` for this machine's cgroup layout"),
            K::Busy => Some("processes are still in the cgroup: use `cgctl kill` first"),
            K::NotFound => Some("check the path with `cgctl info` and `cgctl ps`"),
            _ => None,
        };
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        Failure {
            code: EXIT_CGCTL,
            message,
            hint: hint.map(str::to_owned),
        }
    }

    /// Prefixes the message with what was being done.
    pub fn context(mut self, what: impl fmt::Display) -> Failure {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl From<cgroups_core::Error> for Failure {
    fn from(e: cgroups_core::Error) -> Failure {
        Failure::from_core(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cgctl: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Refuses clearly when not running as root.
pub fn require_root(what: &str) -> Result<(), Failure> {
    if rustix::process::geteuid().is_root() {
        return Ok(());
    }
    Err(Failure {
        code: EXIT_CGCTL,
        message: format!(
            "{what} needs root: creating and changing cgroups is a privileged operation"
        ),
        hint: Some("run it with sudo, or as root".to_owned()),
    })
}
