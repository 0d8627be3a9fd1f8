//! Directory handles.
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::{FsType, Result};

/// Open mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read.
    Read,
    /// Write.
    Write,
    /// Read and write.
    ReadWrite,
}

/// Test root policy.
#[cfg(feature = "test-fixtures")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TestRoot {
    /// Require cgroupfs.
    pub require_cgroupfs: bool,
    /// Create on write.
    pub create_on_write: bool,
}

/// Directory handle.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

impl Dir {
    /// Open a cgroup root.
    pub fn open_cgroup_root(path: impl AsRef<Path>) -> Result<Dir> {
        let _ = path;
        todo!()
    }
    /// Open a test root.
    #[cfg(feature = "test-fixtures")]
    pub fn open_test_root(path: impl AsRef<Path>, opts: TestRoot) -> Result<Dir> {
        let _ = (path, opts);
        todo!()
    }
    /// Display path.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Filesystem type.
    pub fn fs_type(&self) -> FsType {
        todo!()
    }
    /// Uses openat2.
    pub fn uses_openat2(&self) -> bool {
        todo!()
    }
    /// Clone.
    pub fn try_clone(&self) -> Result<Dir> {
        todo!()
    }
    /// Open a descendant directory.
    pub fn open_dir(&self, rel: &str) -> Result<Dir> {
        let _ = rel;
        todo!()
    }
    /// Open a file.
    pub fn open_file(&self, rel: &str, mode: OpenMode) -> Result<std::fs::File> {
        let _ = (rel, mode);
        todo!()
    }
    /// mkdirat.
    pub fn create_dir(&self, name: &str) -> Result<bool> {
        let _ = name;
        todo!()
    }
    /// unlinkat.
    pub fn remove_dir(&self, name: &str) -> Result<()> {
        let _ = name;
        todo!()
    }
    /// Child dirs.
    pub fn sub_dirs(&self) -> Result<Vec<String>> {
        todo!()
    }
    /// Exists.
    pub fn exists(&self, rel: &str) -> Result<bool> {
        let _ = rel;
        todo!()
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
