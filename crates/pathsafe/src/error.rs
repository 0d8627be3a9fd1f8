//! Error type.
use std::path::{Path, PathBuf};

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// What kind of failure.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Refused name.
    InvalidName,
    /// Escape attempt.
    Escape,
    /// Wrong filesystem.
    WrongFilesystem,
    /// Not found.
    NotFound,
    /// Already exists.
    AlreadyExists,
    /// Not a directory.
    NotADirectory,
    /// Symlink loop.
    Loop,
    /// Parse error.
    Parse,
    /// Other OS error.
    Os,
}

/// The error.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    op: &'static str,
    path: Option<PathBuf>,
    errno: Option<i32>,
    detail: String,
}

impl Error {
    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// Raw errno.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }
    /// Display path.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
    /// Operation.
    pub fn op(&self) -> &'static str {
        self.op
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.op, self.detail)
    }
}

impl std::error::Error for Error {}
