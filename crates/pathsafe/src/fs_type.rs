//! Filesystem types.
use crate::Result;

/// Filesystem type by statfs magic.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsType {
    /// cgroup v1.
    Cgroup1,
    /// cgroup2.
    Cgroup2,
    /// procfs.
    Proc,
    /// tmpfs.
    Tmpfs,
    /// sysfs.
    Sysfs,
    /// Other magic.
    Other(i64),
}

impl FsType {
    /// fstatfs.
    pub fn of(fd: impl std::os::fd::AsFd) -> Result<FsType> {
        let _ = fd;
        todo!()
    }
    /// cgroup v1 or v2.
    pub fn is_cgroup(self) -> bool {
        matches!(self, FsType::Cgroup1 | FsType::Cgroup2)
    }
}
