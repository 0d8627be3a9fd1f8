//! procfs.
use std::os::fd::OwnedFd;

use crate::{MountInfo, OpenMode, Result};

/// Base.
#[derive(Debug, Clone, Copy)]
pub enum ProcBase {
    /// /proc.
    Root,
    /// /proc/self.
    SelfProcess,
    /// /proc/thread-self.
    ThreadSelf,
    /// /proc/<pid>.
    Pid(u32),
}

/// procfs handle.
#[derive(Debug)]
pub struct ProcFs {
    fd: OwnedFd,
}

impl ProcFs {
    /// Open /proc.
    pub fn open() -> Result<ProcFs> {
        todo!()
    }
    /// Open elsewhere.
    #[cfg(feature = "test-fixtures")]
    pub fn open_at(path: impl AsRef<std::path::Path>) -> Result<ProcFs> {
        let _ = path;
        todo!()
    }
    /// Open file.
    pub fn open_file(&self, base: ProcBase, rel: &str, mode: OpenMode) -> Result<std::fs::File> {
        let _ = (&self.fd, base, rel, mode);
        todo!()
    }
    /// Read.
    pub fn read_to_string(&self, base: ProcBase, rel: &str) -> Result<String> {
        let _ = (base, rel);
        todo!()
    }
    /// mountinfo.
    pub fn mountinfo(&self, base: ProcBase) -> Result<Vec<MountInfo>> {
        let _ = base;
        todo!()
    }
}
