//! How a file is opened.

use rustix::fs::OFlags;

/// The access mode of an open: `O_RDONLY`, `O_WRONLY` or `O_RDWR`.
///
/// Every open also carries `O_CLOEXEC|O_NOCTTY`. Writes never create files, except
/// beneath a test root made with `create_on_write` (see `TestRoot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `O_RDONLY`.
    Read,
    /// `O_WRONLY`.
    Write,
    /// `O_RDWR` (for example `cgroup.freeze` or `io.bfq.weight`).
    ReadWrite,
}

impl OpenMode {
    /// The access flags of this mode.
    pub(crate) fn oflags(self) -> OFlags {
        match self {
            OpenMode::Read => OFlags::RDONLY,
            OpenMode::Write => OFlags::WRONLY,
            OpenMode::ReadWrite => OFlags::RDWR,
        }
    }
}
