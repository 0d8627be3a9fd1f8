//! Cgroup file I/O on top of `pathsafe`: every open is fd-based and beneath a
//! verified hierarchy root.

use std::fs::File;
use std::path::Path;

use crate::Result;

/// How a cgroup file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Read,
    /// Write only.
    Write,
    /// Read and write (`cgroup.freeze`, `io.bfq.weight`).
    ReadWrite,
}

/// Options of a test tree (a fake cgroup hierarchy in a temp dir).
#[cfg(feature = "test-fixtures")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TestTree {
    /// Refuse the tree unless it is on cgroupfs (keep the real check).
    pub require_cgroupfs: bool,
    /// Writes create missing files (the kernel would have provided them).
    pub create_on_write: bool,
}

/// An open cgroup directory: a handle beneath a verified hierarchy root.
#[derive(Debug)]
pub struct CgroupDir {
    dir: pathsafe::Dir,
}

impl CgroupDir {
    /// Opens a hierarchy root (mount point); refuses anything that is not cgroupfs.
    pub fn open_root(path: impl AsRef<Path>) -> Result<CgroupDir> {
        let _ = path;
        todo!()
    }

    /// Opens a fake hierarchy root for tests.
    #[cfg(feature = "test-fixtures")]
    pub fn open_test_root(path: impl AsRef<Path>, tree: TestTree) -> Result<CgroupDir> {
        let _ = (path, tree);
        todo!()
    }

    /// The directory, for messages.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Whether this directory is in a cgroup2 hierarchy.
    pub fn is_cgroup2(&self) -> bool {
        todo!()
    }

    /// Another handle to the same directory.
    pub fn try_clone(&self) -> Result<CgroupDir> {
        todo!()
    }

    /// Opens a descendant cgroup (`rel`: relative plain components, `""` = self).
    pub fn open_child(&self, rel: &str) -> Result<CgroupDir> {
        let _ = rel;
        todo!()
    }

    /// Creates every missing level of `rel` below this directory and opens the last.
    /// Returns the handle and the relative paths of the levels it created (outermost
    /// first), so a failing caller can remove exactly those.
    pub fn create_child_all(&self, rel: &str) -> Result<(CgroupDir, Vec<String>)> {
        let _ = rel;
        todo!()
    }

    /// Whether `rel` (file or directory) exists below this directory.
    pub fn exists(&self, rel: &str) -> bool {
        let _ = rel;
        todo!()
    }

    /// Opens a file of this cgroup (`file` must be a plain file name).
    pub fn open_file(&self, file: &str, access: Access) -> Result<File> {
        let _ = (file, access);
        todo!()
    }

    /// Reads a whole file.
    pub fn read(&self, file: &str) -> Result<String> {
        let _ = file;
        todo!()
    }

    /// Reads a whole file; `Ok(None)` when it does not exist.
    pub fn read_optional(&self, file: &str) -> Result<Option<String>> {
        let _ = file;
        todo!()
    }

    /// Reads a file holding one unsigned number (`max` is refused: use
    /// [`read_limit`](Self::read_limit)).
    pub fn read_u64(&self, file: &str) -> Result<u64> {
        let _ = file;
        todo!()
    }

    /// Reads a file holding a number or `max`.
    pub fn read_limit(&self, file: &str) -> Result<crate::Limit> {
        let _ = file;
        todo!()
    }

    /// Writes `value` with one `write(2)` (EINTR retried). The error names the file,
    /// the value and the errno.
    pub fn write(&self, file: &str, value: &str) -> Result<()> {
        let _ = (file, value);
        todo!()
    }

    /// Writes `value` one line per `write(2)`, as files such as `io.max`,
    /// `blkio.throttle.*` and `net_prio.ifpriomap` require. No empty trailing write.
    pub fn write_lines(&self, file: &str, value: &str) -> Result<()> {
        let _ = (file, value);
        todo!()
    }

    /// Moves `pid` into this cgroup (`cgroup.procs`), retrying EINVAL (a task still
    /// being created) a few times.
    pub fn add_pid(&self, pid: u32) -> Result<()> {
        let _ = pid;
        todo!()
    }

    /// Processes of this cgroup (`cgroup.procs`; on a threaded cgroup where that gives
    /// EOPNOTSUPP, `cgroup.threads`).
    pub fn pids(&self) -> Result<Vec<u32>> {
        todo!()
    }

    /// Threads of this cgroup (`cgroup.threads` on v2, `tasks` on v1).
    pub fn threads(&self) -> Result<Vec<u32>> {
        todo!()
    }

    /// Processes of this cgroup and every descendant; descendants that vanish during
    /// the walk are skipped.
    pub fn all_pids(&self) -> Result<Vec<u32>> {
        todo!()
    }

    /// Names of the direct child cgroups.
    pub fn children(&self) -> Result<Vec<String>> {
        todo!()
    }

    /// Removes the descendant `rel` and everything below it, depth first; EBUSY is
    /// retried with a doubling back-off (about one second in all), EINTR at once, and
    /// a missing directory is success (C23).
    pub fn remove_tree(&self, rel: &str) -> Result<()> {
        let _ = rel;
        todo!()
    }
}
