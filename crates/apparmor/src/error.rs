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
    /// AppArmor is not enabled in the running kernel (no securityfs directory, or the
    /// module parameter does not start with `Y`), so a profile cannot be applied.
    NotEnabled,
    /// The profile name cannot be written safely: it contains a NUL byte or a line
    /// break, or starts or ends with whitespace the kernel would strip.
    InvalidProfile,
    /// `/proc` could not be trusted: it is not the root of a procfs mount of our PID
    /// namespace, or a lookup below it met a symlink or a mount crossing. Writing
    /// there could land in a file that is not our thread's attribute.
    UntrustedProcfs,
    /// A syscall failed; see [`Error::errno`]. A write the kernel refuses (for example
    /// an unknown profile) ends here with `EINVAL` or `ENOENT`.
    Io,
}

/// An error from this crate: what failed, on which file, with which value and errno.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
    profile: Option<String>,
    errno: Option<i32>,
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

    /// The file involved (for a write, the attribute file that was opened).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The profile name involved.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    #[cold]
    pub(crate) fn not_enabled(profile: &str) -> Error {
        Error {
            kind: ErrorKind::NotEnabled,
            path: None,
            profile: Some(profile.to_owned()),
            errno: None,
            message: format!(
                "cannot apply AppArmor profile {profile:?}: AppArmor is not enabled in this \
                 kernel (/sys/kernel/security/apparmor is missing or \
                 /sys/module/apparmor/parameters/enabled is not 'Y'); boot a kernel with \
                 AppArmor enabled and securityfs mounted, or run without a profile"
            ),
        }
    }

    #[cold]
    pub(crate) fn invalid_profile(profile: &str, why: &str) -> Error {
        Error {
            kind: ErrorKind::InvalidProfile,
            path: None,
            profile: Some(profile.to_owned()),
            errno: None,
            message: format!("invalid AppArmor profile name {profile:?}: {why}"),
        }
    }

    #[cold]
    pub(crate) fn write(path: PathBuf, profile: &str, errno: Option<i32>, why: &str) -> Error {
        Error {
            kind: ErrorKind::Io,
            message: format!(
                "apply AppArmor profile {profile:?}: write {:?} to {}: {why}; check that the \
                 profile is loaded (apparmor_parser) and that we may change profiles",
                format!("exec {profile}"),
                path.display()
            ),
            path: Some(path),
            profile: Some(profile.to_owned()),
            errno,
        }
    }

    #[cold]
    pub(crate) fn short_write(path: PathBuf, profile: &str, written: usize) -> Error {
        let why = format!("only {written} bytes were written; the kernel needs one whole write");
        Error::write(path, profile, None, &why)
    }
}

/// Convert an error of the internal path-safety crate; its type never leaves this
/// crate (no public `From`).
#[cold]
pub(crate) fn from_pathsafe(err: &pathsafe::Error, profile: &str) -> Error {
    use pathsafe::ErrorKind as P;
    let kind = match err.kind() {
        P::WrongFilesystem | P::Escape | P::Loop => ErrorKind::UntrustedProcfs,
        _ => ErrorKind::Io,
    };
    let advice = if kind == ErrorKind::UntrustedProcfs {
        "; refusing to write the AppArmor attribute through an untrusted /proc (mount a \
         fresh procfs of this PID namespace on /proc)"
    } else {
        ""
    };
    Error {
        kind,
        path: err.path().map(Path::to_path_buf),
        profile: Some(profile.to_owned()),
        errno: err.errno(),
        message: format!("apply AppArmor profile {profile:?}: {err}{advice}"),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
