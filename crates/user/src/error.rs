//! The crate's one error type.
//!
//! Every error says which file (and line) it came from when there is one, which value
//! was involved, and what the caller can do about it.

use std::fmt;

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, in terms a caller can act on.
///
/// The set grows over time; match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No user or group has the requested name, or a user has no subordinate ids
    /// ([`Error::value`] is the name).
    NotFound,
    /// An id is outside `0..=2147483647` ([`MAX_ID`](crate::MAX_ID)): a numeric part
    /// of a user spec, a requested group, or the id of a matched entry.
    Range,
    /// An id is not covered by an id map ([`Error::value`] is the id).
    Unmapped,
    /// Id ranges that no kernel accepts: empty, past the 32-bit id space, or
    /// overlapping.
    InvalidMap,
    /// A malformed line in [`ParseMode::Strict`](crate::ParseMode::Strict)
    /// ([`Error::line`] and [`Error::value`] say which).
    Parse,
    /// The file is a directory, FIFO, device or socket, not a regular file.
    NotRegularFile,
    /// The file is larger than the cap of the read (see
    /// [`DEFAULT_MAX_BYTES`](crate::DEFAULT_MAX_BYTES)).
    TooLarge,
    /// A path argument was refused before any syscall (empty, or with a NUL byte).
    InvalidInput,
    /// Opening or reading a file failed; [`Error::errno`] has the errno (`ENOENT` for
    /// a file that was asked for by path and does not exist).
    Io,
}

/// An error of this crate: what failed, in which file and line, with which value.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays one pointer wide.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    file: Option<String>,
    line: Option<usize>,
    value: Option<String>,
    errno: Option<i32>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The file involved, as shown to people: the rootfs path joined with the path
    /// inside it, or the `source` name given to [`ParseOptions`](crate::ParseOptions).
    pub fn file(&self) -> Option<&str> {
        self.inner.file.as_deref()
    }

    /// The 1-based line number in [`Error::file`], for errors about one line.
    pub fn line(&self) -> Option<usize> {
        self.inner.line
    }

    /// The value involved: a user or group name, an id, or the text of a line.
    pub fn value(&self) -> Option<&str> {
        self.inner.value.as_deref()
    }

    /// The OS errno, when a system call failed.
    pub fn errno(&self) -> Option<i32> {
        self.inner.errno
    }

    fn new(kind: ErrorKind, message: String) -> Error {
        let inner = Inner {
            kind,
            message,
            file: None,
            line: None,
            value: None,
            errno: None,
            source: None,
        };
        Error {
            inner: Box::new(inner),
        }
    }

    fn file_opt(mut self, file: Option<&str>) -> Error {
        self.inner.file = file.map(str::to_owned);
        self
    }

    fn at_line(mut self, line: usize) -> Error {
        self.inner.line = Some(line);
        self
    }

    fn with_value(mut self, value: impl Into<String>) -> Error {
        self.inner.value = Some(value.into());
        self
    }

    /// Name the file an error is about, if it names none yet.
    pub(crate) fn in_file(mut self, file: &str) -> Error {
        if self.inner.file.is_none() {
            self.inner.message = format!("{file}: {}", self.inner.message);
            self.inner.file = Some(file.to_owned());
        }
        self
    }

    /// No entry has the name `name` (`what` is "user" or "group").
    #[cold]
    pub(crate) fn not_found(what: &str, name: &str, file: Option<&str>) -> Error {
        let message = match file {
            Some(file) => format!(
                "unable to find {what} {name:?}: no entry of {file} has that name; \
                 create the {what} in the image or use a numeric id"
            ),
            None => format!(
                "unable to find {what} {name:?}: there is no {what} database to look it \
                 up in; use a numeric id"
            ),
        };
        Error::new(ErrorKind::NotFound, message)
            .file_opt(file)
            .with_value(name)
    }

    /// `user` has no subordinate ids in `file`.
    #[cold]
    pub(crate) fn no_sub_ids(user: &str, file: &str) -> Error {
        let message = format!(
            "no subordinate id ranges for user {user:?} in {file}; add a line \
             \"{user}:<start>:<count>\" to it (usermod --add-subuids / --add-subgids)"
        );
        Error::new(ErrorKind::NotFound, message)
            .file_opt(Some(file))
            .with_value(user)
    }

    /// A numeric part of a spec or a requested group (`text`) is out of range.
    #[cold]
    pub(crate) fn spec_range(what: &str, text: &str) -> Error {
        let message = format!(
            "{what} {text:?} is out of range: uids and gids must be in range \
             0-{}; pass an id in that range or a name",
            crate::MAX_ID
        );
        Error::new(ErrorKind::Range, message).with_value(text)
    }

    /// The entry `name` matched at `file:line` has an id out of range.
    #[cold]
    pub(crate) fn entry_range(what: &str, id: u32, name: &str, at: (&str, usize)) -> Error {
        let (file, line) = at;
        let message = format!(
            "{file}:{line}: {name:?} has {what} {id}, out of range: uids and gids must be \
             in range 0-{}; fix the entry",
            crate::MAX_ID
        );
        let err = Error::new(ErrorKind::Range, message).file_opt(Some(file));
        err.at_line(line).with_value(id.to_string())
    }

    /// `id` is not covered by the ranges of `map` ("uid map" or "gid map").
    #[cold]
    pub(crate) fn unmapped(map: &str, side: &str, id: u32) -> Error {
        let message = format!(
            "{side} id {id} is not covered by any range of the {map}; map it or use an id \
             inside the mapped ranges"
        );
        Error::new(ErrorKind::Unmapped, message).with_value(id.to_string())
    }

    /// A set of id ranges that the kernel would refuse.
    #[cold]
    pub(crate) fn invalid_map(value: String, why: &str) -> Error {
        let message = format!("invalid id map {value}: {why}");
        Error::new(ErrorKind::InvalidMap, message).with_value(value)
    }

    /// A malformed line in strict mode.
    #[cold]
    pub(crate) fn parse(file: &str, line: usize, text: &str, why: &str) -> Error {
        let message = format!(
            "{file}:{line}: malformed line {}: {why}; fix or remove the line, or parse \
             with ParseMode::Lenient to skip it",
            shown(text)
        );
        let err = Error::new(ErrorKind::Parse, message).file_opt(Some(file));
        err.at_line(line).with_value(text)
    }

    /// The file is not a regular file (`what` describes it).
    #[cold]
    pub(crate) fn not_regular(file: &str, what: &str) -> Error {
        let message =
            format!("{file} is not a regular file (it is {what}); it must be a plain file");
        Error::new(ErrorKind::NotRegularFile, message).file_opt(Some(file))
    }

    /// More than `cap` bytes.
    #[cold]
    pub(crate) fn too_large(file: &str, cap: u64) -> Error {
        let message = format!(
            "{file} exceeds {cap} bytes, the cap of this read; trim the file or raise \
             the cap (max_bytes)"
        );
        Error::new(ErrorKind::TooLarge, message)
            .file_opt(Some(file))
            .with_value(cap.to_string())
    }

    /// Reading or inspecting an open file failed.
    #[cold]
    pub(crate) fn io(file: &str, op: &str, err: std::io::Error) -> Error {
        let message = format!("{op} {file}: {err}");
        let mut error = Error::new(ErrorKind::Io, message).file_opt(Some(file));
        error.inner.errno = err.raw_os_error();
        error.inner.source = Some(Box::new(err));
        error
    }
}

/// Convert an error of the internal path crate (kept as `source()`), naming `file`.
#[cold]
pub(crate) fn from_pathsafe(file: &str, err: pathsafe::Error) -> Error {
    let kind = match err.kind() {
        pathsafe::ErrorKind::InvalidName => ErrorKind::InvalidInput,
        _ => ErrorKind::Io,
    };
    let message = format!("open {file}: {err}");
    let mut error = Error::new(kind, message).file_opt(Some(file));
    error.inner.errno = err.errno();
    error.inner.source = Some(Box::new(err));
    error
}

/// At most 120 characters of `text`, quoted, for messages (values can be 100 KB).
fn shown(text: &str) -> String {
    const MAX: usize = 120;
    match text.char_indices().nth(MAX) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let source = self.inner.source.as_ref()?;
        Some(source.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_in_messages_but_kept_whole() {
        let line = "x".repeat(100_000);
        let err = Error::parse("/etc/group", 3, &line, "no gid field");
        assert!(err.to_string().len() < 400, "{}", err.to_string().len());
        assert!(err.to_string().contains("/etc/group:3"));
        assert_eq!(err.value().map(str::len), Some(100_000));
        assert_eq!(err.line(), Some(3));
        assert_eq!(err.file(), Some("/etc/group"));
    }

    #[test]
    fn io_errors_keep_the_errno() {
        let err = Error::io(
            "/r/etc/passwd",
            "read",
            std::io::Error::from_raw_os_error(5),
        );
        assert_eq!(err.kind(), ErrorKind::Io);
        assert_eq!(err.errno(), Some(5));
        assert!(std::error::Error::source(&err).is_some());
    }
}
