//! The one error type of `cgroups-core`, shared by the drivers that implement
//! [`Manager`](crate::Manager).

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, in terms a caller can act on.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A cgroup path, sub-cgroup, unified key or hugepage size was refused by the
    /// name policy (`..`, empty components, not a plain file name).
    InvalidPath,
    /// A [`Resources`](crate::Resources) field (named by [`Error::field`]) has a value
    /// that no kernel accepts; nothing was written.
    InvalidValue,
    /// A file or cgroup does not exist (or vanished while we worked on it).
    NotFound,
    /// The filesystem is not cgroupfs where cgroupfs was expected.
    NotCgroupfs,
    /// The cgroup layout of this machine (or the requested mode) is not supported.
    UnsupportedLayout,
    /// A controller that the request needs is not available in this kernel, hierarchy
    /// or parent cgroup ([`Error::value`] names it).
    ControllerUnavailable,
    /// cgroup v2's no-internal-process rule: a populated cgroup cannot enable
    /// controllers for its children.
    NoInternalProcess,
    /// The kernel refused a value written to a cgroup file (EINVAL, ERANGE, ...).
    KernelRefused,
    /// Permission denied (EPERM, EACCES, EROFS): not root, or not delegated.
    PermissionDenied,
    /// The cgroup stayed busy (EBUSY) after the retry budget.
    Busy,
    /// Waiting for the kernel (freeze, empty cgroup) took longer than the budget.
    Timeout,
    /// A kernel file did not have the expected format.
    Parse,
    /// Any other failed system call ([`Error::errno`] says which errno).
    Io,
}

/// An error of the cgroup crates: the operation, the file, the value and the errno.
///
/// Display reads like a one-line report: what failed, where, with which value and
/// errno, and a hint about what to do when there is one.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays one pointer wide on the happy path.
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    path: Option<PathBuf>,
    value: Option<String>,
    field: Option<&'static str>,
    errno: Option<i32>,
    hint: Option<&'static str>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message saying what was being done.
    #[cold]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                path: None,
                value: None,
                field: None,
                errno: None,
                hint: None,
                source: None,
            }),
        }
    }

    /// An error for a failed system call on `path`, with the kind derived from `errno`.
    #[cold]
    pub fn from_errno(message: impl Into<String>, path: impl Into<PathBuf>, errno: i32) -> Error {
        Error::new(kind_of_errno(errno), message)
            .with_path(path)
            .with_errno(errno)
    }

    /// Attaches the file or directory involved.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.inner.path = Some(path.into());
        self
    }

    /// Attaches the value that was written or parsed.
    pub fn with_value(mut self, value: impl Into<String>) -> Error {
        self.inner.value = Some(value.into());
        self
    }

    /// Attaches the name of the [`Resources`](crate::Resources) field at fault.
    pub fn with_field(mut self, field: &'static str) -> Error {
        self.inner.field = Some(field);
        self
    }

    /// Attaches the raw OS errno.
    pub fn with_errno(mut self, errno: i32) -> Error {
        self.inner.errno = Some(errno);
        self
    }

    /// Attaches advice for the caller ("run as root", "enable the controller in ...").
    pub fn with_hint(mut self, hint: &'static str) -> Error {
        self.inner.hint = Some(hint);
        self
    }

    /// Attaches the lower-level cause, reported by `source()`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Replaces the kind (a driver that knows better than the errno mapping).
    pub fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.inner.kind = kind;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The raw OS errno, when a system call failed.
    pub fn errno(&self) -> Option<i32> {
        self.inner.errno
    }

    /// The file or directory involved.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The value written or parsed.
    pub fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }

    /// The [`Resources`](crate::Resources) field at fault, for validation errors.
    pub fn field(&self) -> Option<&'static str> {
        self.inner.field
    }

    /// Whether this error means "does not exist" (ENOENT, ENODEV on a removed cgroup).
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }
}

/// Maps an errno to the kind a caller acts on.
pub(crate) fn kind_of_errno(errno: i32) -> ErrorKind {
    use rustix::io::Errno;
    let e = Errno::from_raw_os_error(errno);
    if e == Errno::NOENT || e == Errno::NODEV {
        ErrorKind::NotFound
    } else if e == Errno::PERM || e == Errno::ACCESS || e == Errno::ROFS {
        ErrorKind::PermissionDenied
    } else if e == Errno::BUSY {
        ErrorKind::Busy
    } else if e == Errno::INVAL || e == Errno::RANGE || e == Errno::NOSPC || e == Errno::OPNOTSUPP {
        ErrorKind::KernelRefused
    } else {
        ErrorKind::Io
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(field) = self.inner.field {
            write!(f, " (field {field})")?;
        }
        if let Some(path) = &self.inner.path {
            write!(f, ": {}", path.display())?;
        }
        if let Some(value) = &self.inner.value {
            write!(f, ": value {value:?}")?;
        }
        if let Some(errno) = self.inner.errno {
            let e = rustix::io::Errno::from_raw_os_error(errno);
            write!(f, ": {} (errno {errno})", std::io::Error::from(e))?;
        }
        if let Some(hint) = self.inner.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(path) = &self.inner.path {
            d.field("path", path);
        }
        if let Some(value) = &self.inner.value {
            d.field("value", value);
        }
        if let Some(field) = self.inner.field {
            d.field("field", &field);
        }
        if let Some(errno) = self.inner.errno {
            d.field("errno", &errno);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Converts a `pathsafe` error into this crate's error, keeping the errno, the path
/// and the full strace-like text as `source()`. Crate-private on purpose: a public
/// `From` impl would put `pathsafe` into our public API.
#[cold]
pub(crate) fn from_pathsafe(err: pathsafe::Error) -> Error {
    use pathsafe::ErrorKind as P;
    let kind = match err.kind() {
        P::InvalidName | P::Escape => ErrorKind::InvalidPath,
        P::WrongFilesystem => ErrorKind::NotCgroupfs,
        P::NotFound => ErrorKind::NotFound,
        P::Parse => ErrorKind::Parse,
        _ => match err.errno() {
            Some(errno) => kind_of_errno(errno),
            None => ErrorKind::Io,
        },
    };
    let message = match kind {
        // The pathsafe text says what was refused and why; keep all of it.
        ErrorKind::InvalidPath | ErrorKind::NotCgroupfs | ErrorKind::Parse => err.to_string(),
        _ => format!("{} failed", err.op()),
    };
    let mut out = Error::new(kind, message);
    if let Some(path) = err.path() {
        out = out.with_path(path);
    }
    if let Some(errno) = err.errno() {
        out = out.with_errno(errno);
    }
    out.with_source(err)
}

/// Converts an I/O error of an already opened file.
#[cold]
pub(crate) fn from_io(op: &str, path: impl Into<PathBuf>, err: &std::io::Error) -> Error {
    match err.raw_os_error() {
        Some(errno) => Error::from_errno(op.to_owned(), path, errno),
        None => Error::new(ErrorKind::Io, format!("{op} failed: {err}")).with_path(path),
    }
}
