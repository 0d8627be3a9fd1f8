//! The crate's one error type.

use std::fmt;
use std::path::{Path, PathBuf};

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, in terms a caller can act on.
///
/// The set grows over time; match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No resctrl filesystem: the kernel or CPU lacks Intel RDT / AMD PQoS, or
    /// resctrl is not mounted (`mount -t resctrl resctrl /sys/fs/resctrl`).
    NotAvailable,
    /// The path is not on the resctrl filesystem (filesystem magic).
    WrongFilesystem,
    /// The configuration is invalid: a bad `closID` or container id, or a schema
    /// for a feature this resctrl does not have (see [`Error::value`]).
    InvalidConfig,
    /// Schemata text could not be parsed or has a value the resource cannot take.
    InvalidSchemata,
    /// A named `closID` with no schema must name an existing group, and does not.
    GroupNotFound,
    /// A file or directory was refused because following it could leave the resctrl
    /// tree: a symlink (such as a `tasks` that is a symlink), `..`, or a mount
    /// crossing.
    UnsafePath,
    /// A file that should exist is missing (`ENOENT`).
    NotFound,
    /// A kernel file had content this crate does not understand.
    Parse,
    /// A syscall failed; see [`Error::errno`] and [`Error::last_cmd_status`].
    Io,
}

/// An error from this crate: what failed, on which file, with which value and errno.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
    value: Option<String>,
    errno: Option<i32>,
    last_cmd_status: Option<String>,
    message: String,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The raw OS errno when a syscall failed.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }

    /// The file or directory involved.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The value involved: the text written, the `closID`, the schemata line.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The kernel's explanation of the last failed resctrl command
    /// (`info/last_cmd_status`), when it could be read after the failure.
    pub fn last_cmd_status(&self) -> Option<&str> {
        self.last_cmd_status.as_deref()
    }

    #[cold]
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            path: None,
            value: None,
            errno: None,
            last_cmd_status: None,
            message: message.into(),
        }
    }

    pub(crate) fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn with_value(mut self, value: impl Into<String>) -> Error {
        self.value = Some(value.into());
        self
    }

    pub(crate) fn with_errno(mut self, errno: Option<i32>) -> Error {
        self.errno = errno;
        self
    }

    /// Attach the kernel's `last_cmd_status` (ignored when empty or `ok`).
    pub(crate) fn with_last_cmd_status(mut self, status: Option<String>) -> Error {
        let status = status.map(|s| s.trim().to_owned());
        self.last_cmd_status = status.filter(|s| !s.is_empty() && s != "ok");
        self
    }

    #[cold]
    pub(crate) fn invalid_config(value: &str, why: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::InvalidConfig,
            format!("invalid Intel RDT config {value:?}: {why}"),
        )
        .with_value(value)
    }

    #[cold]
    pub(crate) fn invalid_schemata(value: &str, why: impl fmt::Display) -> Error {
        let message = format!("invalid schemata {value:?}: {why}");
        Error::new(ErrorKind::InvalidSchemata, message).with_value(value)
    }

    #[cold]
    pub(crate) fn parse(path: &Path, content: &str, why: impl fmt::Display) -> Error {
        let message = format!("cannot parse {} ({content:?}): {why}", path.display());
        Error::new(ErrorKind::Parse, message)
            .with_path(path)
            .with_value(content)
    }

    /// A syscall on `path` failed with `err`.
    #[cold]
    pub(crate) fn io(op: &str, path: &Path, err: &std::io::Error) -> Error {
        let message = format!("{op} {}: {err}", path.display());
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            _ => ErrorKind::Io,
        };
        Error::new(kind, message)
            .with_path(path)
            .with_errno(err.raw_os_error())
    }
}

/// Convert an error of the internal path-safety crate; its type never leaves this
/// crate (no public `From`).
#[cold]
pub(crate) fn from_pathsafe(err: &pathsafe::Error) -> Error {
    use pathsafe::ErrorKind as P;
    let (kind, advice) = match err.kind() {
        P::NotFound => (ErrorKind::NotFound, ""),
        P::WrongFilesystem => (ErrorKind::WrongFilesystem, ""),
        P::InvalidName | P::Escape | P::Loop | P::AlreadyExists => (
            ErrorKind::UnsafePath,
            "; resctrl has no symlinks and no other mounts below it: this tree was tampered \
             with or is not resctrl",
        ),
        _ => (ErrorKind::Io, ""),
    };
    let mut error = Error::new(kind, format!("{err}{advice}")).with_errno(err.errno());
    error.path = err.path().map(Path::to_path_buf);
    error
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(status) = &self.last_cmd_status {
            write!(f, ", last_cmd_status: {status}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_cmd_status_is_appended_to_the_message() {
        let err = Error::new(ErrorKind::Io, "write schemata: Invalid argument")
            .with_last_cmd_status(Some("Unknown or unsupported resource name 'L9'\n".into()));
        assert_eq!(
            err.last_cmd_status(),
            Some("Unknown or unsupported resource name 'L9'")
        );
        assert_eq!(
            err.to_string(),
            "write schemata: Invalid argument, last_cmd_status: Unknown or unsupported \
             resource name 'L9'"
        );
    }

    #[test]
    fn ok_or_empty_last_cmd_status_is_not_attached() {
        for status in ["ok\n", "", "  \n"] {
            let err = Error::new(ErrorKind::Io, "x").with_last_cmd_status(Some(status.into()));
            assert_eq!(err.last_cmd_status(), None, "{status:?}");
            assert_eq!(err.to_string(), "x");
        }
    }
}
