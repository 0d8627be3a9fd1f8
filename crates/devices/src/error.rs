//! The one error type of `devices`.

use std::fmt;
use std::path::{Path, PathBuf};

/// What is wrong with a device rule, or what failed while enforcing rules.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text does not have the shape `<type> <major>:<minor> <access>` (missing or
    /// extra fields, no `:` between the numbers).
    Syntax,
    /// The device type is not one of `a`, `b`, `c`, `p`.
    InvalidType,
    /// A major or minor number is neither `*` nor an unsigned 32-bit decimal number.
    InvalidNumber,
    /// The access string holds a letter other than `r`, `w`, `m`, or a letter twice.
    InvalidAccess,
    /// The access string is empty: a rule must grant or deny at least one access.
    EmptyAccess,
    /// The rule is valid for a device node but not for the devices cgroup (a FIFO
    /// rule: the kernel controls only block and character devices).
    NotForCgroup,
    /// The rule would remove part of a wildcard exception (deny `c 1:3` while
    /// `c 1:* r` or `c *:* m` is allowed, or the reverse in deny-list mode). The cgroup
    /// v1 kernel silently ignores such a rule; it is refused instead, because the
    /// v1 and v2 enforcement would disagree and neither does what was asked (C29).
    WildcardHole,
    /// A `devices.list` line is not what the kernel prints.
    BadList,
    /// The kernel's verifier refused the generated eBPF program
    /// ([`Error::verifier_log`] holds its log).
    ProgramRejected,
    /// A bpf(2) call, a stat or a directory read failed ([`Error::errno`] says why).
    Os,
    /// A generated program or rule list broke an invariant of this crate (a bug:
    /// please report it with the rules that caused it).
    Internal,
}

/// A device rule that could not be parsed or is not valid where it is used, or a
/// failed step of enforcing rules (bpf(2), a walk of `/dev`).
///
/// The message names the input and what is wrong with it; [`Error::input`] returns
/// the offending text (the rule, the `devices.list` line, the bpf(2) command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    input: String,
    problem: String,
    errno: Option<i32>,
    path: Option<PathBuf>,
    log: Option<String>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    #[cold]
    pub(crate) fn new(kind: ErrorKind, input: &str, problem: impl Into<String>) -> Error {
        Error {
            kind,
            input: input.to_owned(),
            problem: problem.into(),
            errno: None,
            path: None,
            log: None,
        }
    }

    /// A failed system call: `call` names it (and its target), `errno` is kept.
    #[cold]
    #[cfg(any(feature = "ebpf", feature = "host"))]
    pub(crate) fn os(call: &str, errno: i32, problem: impl Into<String>) -> Error {
        let mut err = Error::new(ErrorKind::Os, call, problem);
        err.errno = Some(errno);
        err
    }

    #[cfg(feature = "host")]
    pub(crate) fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.path = Some(path.into());
        self
    }

    #[cfg(feature = "ebpf")]
    pub(crate) fn with_errno(mut self, errno: i32) -> Error {
        self.errno = Some(errno);
        self
    }

    #[cfg(feature = "ebpf")]
    pub(crate) fn with_log(mut self, log: String) -> Error {
        self.log = Some(log);
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The rule text (or, for an OCI rule, its rendering) that was refused; for a
    /// failed system call, the call.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The OS error number of a failed system call.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }

    /// The file or directory involved, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The kernel verifier's log for [`ErrorKind::ProgramRejected`].
    pub fn verifier_log(&self) -> Option<&str> {
        self.log.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Os | ErrorKind::ProgramRejected => write!(f, "{}", self.input)?,
            ErrorKind::BadList => write!(f, "bad devices.list line {:?}", self.input)?,
            ErrorKind::Internal => write!(f, "internal error in devices ({})", self.input)?,
            _ => write!(f, "invalid device rule {:?}", self.input)?,
        }
        if let Some(path) = &self.path {
            write!(f, " on {}", path.display())?;
        }
        write!(f, ": {}", self.problem)?;
        if let Some(errno) = self.errno {
            let text = std::io::Error::from_raw_os_error(errno);
            write!(f, " (errno {errno}: {text})")?;
        }
        if let Some(log) = &self.log {
            write!(f, "\nverifier log:\n{}", log.trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_error_names_the_rule_and_the_problem() {
        let err = Error::new(ErrorKind::InvalidType, "x 1:3 r", "unknown device type");
        assert_eq!(
            err.to_string(),
            "invalid device rule \"x 1:3 r\": unknown device type"
        );
        assert_eq!(err.errno(), None);
        assert_eq!(err.path(), None);
        assert_eq!(err.verifier_log(), None);
    }

    #[test]
    fn list_error_names_the_line() {
        let err = Error::new(ErrorKind::BadList, "b 1:0", "expected 4 fields");
        assert_eq!(
            err.to_string(),
            "bad devices.list line \"b 1:0\": expected 4 fields"
        );
    }
}
