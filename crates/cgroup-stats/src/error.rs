//! The one error type of `cgroup-stats`.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong while reading statistics.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A file that the kernel always provides for this controller does not exist:
    /// the controller is not enabled for the cgroup, the directory belongs to another
    /// hierarchy, or the cgroup was removed.
    NotFound,
    /// A file's content is not in the format the kernel documents; [`Error::line`]
    /// and [`Error::value`] say where.
    Parse,
    /// The cgroup was removed while a [`Reader`](crate::Reader) or an event watcher
    /// kept it open: its files now fail with `ENODEV`. Drop the reader.
    Gone,
    /// The process ran out of file descriptors (`EMFILE`, or `ENFILE` for the
    /// whole system). Close readers, or share a smaller
    /// [`FdBudget`](crate::FdBudget) among them.
    TooManyOpenFiles,
    /// A feature this kernel or cgroup does not offer was asked for (for example
    /// a PSI trigger where PSI is off, or the v1 OOM notification without
    /// `cgroup.event_control`).
    Unsupported,
    /// Any other failure to open or read a file ([`Error::errno`] says which).
    Io,
}

/// An error of `cgroup-stats`: the file, the line and the text involved.
///
/// Errors of `cgroups-core` (opening a file beneath the cgroup directory) are kept
/// as [`source`](std::error::Error::source).
pub struct Error {
    kind: ErrorKind,
    problem: Cow<'static, str>,
    file: Option<PathBuf>,
    line: Option<usize>,
    value: Option<String>,
    errno: Option<i32>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A content error about `value` (a whole file's text or one field).
    #[cold]
    pub(crate) fn parse(problem: impl Into<Cow<'static, str>>, value: &[u8]) -> Error {
        Error::new(ErrorKind::Parse, problem.into()).with_value(value)
    }

    /// A content error about line `line` (1-based) whose text is `text`.
    #[cold]
    pub(crate) fn parse_line(
        line: usize,
        text: &[u8],
        problem: impl Into<Cow<'static, str>>,
    ) -> Error {
        let mut err = Error::parse(problem, text);
        err.line = Some(line);
        err
    }

    /// Converts an error of `cgroups-core` about `file`, keeping it as the source.
    #[cold]
    pub(crate) fn from_core(err: cgroups_core::Error, file: PathBuf) -> Error {
        let (kind, problem) = match err.kind() {
            _ if is_fd_exhaustion(err.errno()) => (ErrorKind::TooManyOpenFiles, NO_FDS),
            cgroups_core::ErrorKind::NotFound => (ErrorKind::NotFound, NOT_FOUND),
            cgroups_core::ErrorKind::Parse => (ErrorKind::Parse, "unexpected content"),
            _ => (ErrorKind::Io, "cannot open the file"),
        };
        let mut new = Error::new(kind, problem.into());
        new.file = Some(file);
        new.errno = err.errno();
        new.value = err.value().map(str::to_owned);
        new.source = Some(Box::new(err));
        new
    }

    /// Converts a failed read(2) of `file`.
    #[cold]
    pub(crate) fn from_io(err: std::io::Error, file: PathBuf) -> Error {
        let errno = err.raw_os_error();
        let not_found = [rustix::io::Errno::NOENT, rustix::io::Errno::NODEV]
            .iter()
            .any(|e| Some(e.raw_os_error()) == errno);
        let (kind, problem) = match not_found {
            true => (ErrorKind::NotFound, NOT_FOUND),
            false if is_fd_exhaustion(errno) => (ErrorKind::TooManyOpenFiles, NO_FDS),
            false => (ErrorKind::Io, "cannot read the file"),
        };
        let mut new = Error::new(kind, problem.into());
        new.file = Some(file);
        new.errno = errno;
        new.source = Some(Box::new(err));
        new
    }

    /// The cgroup of `file` was removed (its kept fd reads `ENODEV`, or the
    /// directory no longer exists).
    #[cold]
    pub(crate) fn gone(file: PathBuf, errno: Option<i32>) -> Error {
        let mut new = Error::new(ErrorKind::Gone, GONE.into());
        new.file = Some(file);
        new.errno = errno;
        new
    }

    /// A system call other than open/read failed (poll, inotify, eventfd, write).
    #[cold]
    pub(crate) fn syscall(
        what: &'static str,
        file: Option<PathBuf>,
        errno: rustix::io::Errno,
    ) -> Error {
        let raw = errno.raw_os_error();
        let kind = match is_fd_exhaustion(Some(raw)) {
            true => ErrorKind::TooManyOpenFiles,
            false if errno == rustix::io::Errno::NODEV => ErrorKind::Gone,
            false => ErrorKind::Io,
        };
        let mut new = Error::new(kind, what.into());
        new.file = file;
        new.errno = Some(raw);
        new
    }

    /// A feature this kernel or cgroup lacks.
    #[cold]
    pub(crate) fn unsupported(problem: impl Into<Cow<'static, str>>, file: PathBuf) -> Error {
        let mut new = Error::new(ErrorKind::Unsupported, problem.into());
        new.file = Some(file);
        new
    }

    fn new(kind: ErrorKind, problem: Cow<'static, str>) -> Error {
        Error {
            kind,
            problem,
            file: None,
            line: None,
            value: None,
            errno: None,
            source: None,
        }
    }

    fn with_value(mut self, value: &[u8]) -> Error {
        self.value = Some(String::from_utf8_lossy(value).into_owned());
        self
    }

    /// Names the file a content error came from (kept if one is already set).
    pub(crate) fn in_file(mut self, file: PathBuf) -> Error {
        self.file.get_or_insert(file);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file involved (a path for messages: the directory's path joined with the
    /// file name).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The 1-based line of a content error in a multi-line file.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The offending text: the line, or the value of a one-value file.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The raw OS errno, when a system call failed.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }
}

const GONE: &str = "the cgroup was removed; drop the reader or watcher that kept it open";

const NO_FDS: &str = "out of file descriptors; close readers or give them a smaller \
                      shared FdBudget";

/// Whether an errno says that no file descriptor is left (`EMFILE`, `ENFILE`).
pub(crate) fn is_fd_exhaustion(errno: Option<i32>) -> bool {
    let exhausted = [rustix::io::Errno::MFILE, rustix::io::Errno::NFILE];
    exhausted.iter().any(|e| Some(e.raw_os_error()) == errno)
}

const NOT_FOUND: &str = "the file does not exist; is the controller enabled for this \
                         cgroup, and does the cgroup still exist?";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}, line {line}", file.display())?,
            (Some(file), None) => write!(f, "{}", file.display())?,
            (None, Some(line)) => write!(f, "line {line}")?,
            (None, None) => f.write_str("cgroup statistics")?,
        }
        if let Some(value) = &self.value {
            write!(f, " {value:?}")?;
        }
        write!(f, ": {}", self.problem)?;
        let shows_errno = matches!(self.kind, ErrorKind::Io | ErrorKind::TooManyOpenFiles);
        if let (true, Some(errno)) = (shows_errno, self.errno) {
            let os = std::io::Error::from_raw_os_error(errno);
            write!(f, ": {os}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("problem", &self.problem);
        d.field("file", &self.file).field("line", &self.line);
        d.field("value", &self.value).field("errno", &self.errno);
        d.field("source", &self.source).finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}
