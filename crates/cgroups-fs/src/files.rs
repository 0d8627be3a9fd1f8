//! The file operations the controllers need, as a small trait.
//!
//! Production code implements it with core's [`CgroupDir`]; unit tests implement it
//! with an in-memory recorder that logs every write in order and injects errnos, so
//! the write orders and fallbacks of the reference can be checked exactly.

use std::path::PathBuf;

use cgroups_core::{CgroupDir, Error, ErrorKind, Result};

/// Reading and writing the interface files of one cgroup directory.
pub(crate) trait Files {
    /// The directory, for messages.
    fn dir_path(&self) -> PathBuf;

    /// Reads a whole file.
    fn read(&self, file: &str) -> Result<String>;

    /// Reads a whole file; `Ok(None)` when it does not exist.
    fn read_optional(&self, file: &str) -> Result<Option<String>>;

    /// Writes `value` with one write(2).
    fn write(&self, file: &str, value: &str) -> Result<()>;

    /// Whether the file exists.
    fn exists(&self, file: &str) -> bool;
}

impl Files for CgroupDir {
    fn dir_path(&self) -> PathBuf {
        self.path().to_path_buf()
    }

    fn read(&self, file: &str) -> Result<String> {
        CgroupDir::read(self, file)
    }

    fn read_optional(&self, file: &str) -> Result<Option<String>> {
        CgroupDir::read_optional(self, file)
    }

    fn write(&self, file: &str, value: &str) -> Result<()> {
        CgroupDir::write(self, file, value)
    }

    fn exists(&self, file: &str) -> bool {
        CgroupDir::exists(self, file)
    }
}

/// Reads a file holding one unsigned decimal number (v1 limits are numbers: the
/// "unlimited" value reads as a large number, never `max`).
pub(crate) fn read_number(files: &dyn Files, file: &str) -> Result<u64> {
    let text = files.read(file)?;
    let trimmed = text.trim();
    trimmed.parse::<u64>().map_err(|_| {
        Error::new(ErrorKind::Parse, format!("{file} does not hold a number"))
            .with_path(files.dir_path().join(file))
            .with_value(trimmed)
    })
}

/// Whether `err` carries `errno`.
pub(crate) fn has_errno(err: &Error, errno: rustix::io::Errno) -> bool {
    err.errno() == Some(errno.raw_os_error())
}

/// Rebuilds a write error with another kind, message and hint, keeping the file, the
/// value and the errno (the original error stays as `source()`).
pub(crate) fn rephrase(err: Error, kind: ErrorKind, message: String, hint: &'static str) -> Error {
    let mut new = Error::new(kind, message).with_hint(hint);
    if let Some(path) = err.path() {
        new = new.with_path(path.to_path_buf());
    }
    if let Some(value) = err.value() {
        new = new.with_value(value.to_owned());
    }
    if let Some(errno) = err.errno() {
        new = new.with_errno(errno);
    }
    new.with_source(err)
}
