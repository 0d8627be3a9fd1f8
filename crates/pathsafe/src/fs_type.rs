//! Filesystem types, told apart by the `f_type` magic of fstatfs(2).

use std::os::fd::AsFd;
use std::path::PathBuf;

use crate::{Error, Result};

/// `CGROUP_SUPER_MAGIC` (cgroup v1).
const CGROUP_SUPER_MAGIC: i64 = 0x0027_e0eb;
/// `CGROUP2_SUPER_MAGIC`.
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;
/// `PROC_SUPER_MAGIC`.
const PROC_SUPER_MAGIC: i64 = 0x9fa0;
/// `TMPFS_MAGIC`.
const TMPFS_MAGIC: i64 = 0x0102_1994;
/// `SYSFS_MAGIC`.
const SYSFS_MAGIC: i64 = 0x6265_6572;
/// `RDTGROUP_SUPER_MAGIC` (resctrl).
const RDTGROUP_SUPER_MAGIC: i64 = 0x0765_5821;

/// The type of a filesystem, from the `f_type` field of
/// [fstatfs(2)](https://man7.org/linux/man-pages/man2/fstatfs.2.html).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsType {
    /// cgroup v1 (`CGROUP_SUPER_MAGIC`, 0x27e0eb): one hierarchy per mount.
    Cgroup1,
    /// cgroup v2 (`CGROUP2_SUPER_MAGIC`, 0x63677270): the unified hierarchy.
    Cgroup2,
    /// procfs (`PROC_SUPER_MAGIC`, 0x9fa0).
    Proc,
    /// tmpfs (`TMPFS_MAGIC`, 0x01021994).
    Tmpfs,
    /// sysfs (`SYSFS_MAGIC`, 0x62656572).
    Sysfs,
    /// resctrl, the Intel RDT / AMD PQoS filesystem (`RDTGROUP_SUPER_MAGIC`,
    /// 0x7655821).
    Resctrl,
    /// Any other filesystem, with its raw magic number.
    Other(i64),
}

impl FsType {
    /// fstatfs(2) on `fd` and classify the filesystem it is on.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Os`](crate::ErrorKind::Os) if fstatfs fails (for example `EBADF`).
    pub fn of(fd: impl AsFd) -> Result<FsType> {
        match rustix::fs::fstatfs(fd.as_fd()) {
            // `f_type` is a C long; magic numbers are small positive values.
            #[allow(clippy::useless_conversion)]
            Ok(st) => Ok(FsType::from_magic(i64::from(st.f_type))),
            Err(errno) => {
                let fd = fd_display(&fd);
                Err(Error::sys(
                    "fstatfs",
                    format!("fstatfs({})", fd.display()),
                    fd,
                    errno,
                ))
            }
        }
    }

    /// Whether this is cgroup v1 or cgroup v2.
    pub fn is_cgroup(self) -> bool {
        matches!(self, FsType::Cgroup1 | FsType::Cgroup2)
    }

    /// Classify a raw `f_type` magic number (`Other` for one without a variant).
    pub fn from_magic(magic: i64) -> FsType {
        match magic {
            CGROUP_SUPER_MAGIC => FsType::Cgroup1,
            CGROUP2_SUPER_MAGIC => FsType::Cgroup2,
            PROC_SUPER_MAGIC => FsType::Proc,
            TMPFS_MAGIC => FsType::Tmpfs,
            SYSFS_MAGIC => FsType::Sysfs,
            RDTGROUP_SUPER_MAGIC => FsType::Resctrl,
            other => FsType::Other(other),
        }
    }

    /// The raw `f_type` magic number (the inverse of [`FsType::from_magic`]).
    pub fn magic(self) -> i64 {
        match self {
            FsType::Cgroup1 => CGROUP_SUPER_MAGIC,
            FsType::Cgroup2 => CGROUP2_SUPER_MAGIC,
            FsType::Proc => PROC_SUPER_MAGIC,
            FsType::Tmpfs => TMPFS_MAGIC,
            FsType::Sysfs => SYSFS_MAGIC,
            FsType::Resctrl => RDTGROUP_SUPER_MAGIC,
            FsType::Other(magic) => magic,
        }
    }
}

fn fd_display(fd: &impl AsFd) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("fd {}", fd.as_fd().as_raw_fd()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_map_to_their_types() {
        assert_eq!(FsType::from_magic(0x27e0eb), FsType::Cgroup1);
        assert_eq!(FsType::from_magic(0x63677270), FsType::Cgroup2);
        assert_eq!(FsType::from_magic(0x9fa0), FsType::Proc);
        assert_eq!(FsType::from_magic(0x01021994), FsType::Tmpfs);
        assert_eq!(FsType::from_magic(0x62656572), FsType::Sysfs);
        assert_eq!(FsType::from_magic(0x7655821), FsType::Resctrl);
        assert_eq!(FsType::from_magic(0xef53), FsType::Other(0xef53));
        assert!(FsType::Cgroup1.is_cgroup() && FsType::Cgroup2.is_cgroup());
        assert!(!FsType::Tmpfs.is_cgroup());
    }

    #[test]
    fn magic_is_the_inverse_of_from_magic() {
        for magic in [
            0x27e0eb, 0x63677270, 0x9fa0, 0x01021994, 0x62656572, 0x7655821, 0xef53,
        ] {
            assert_eq!(FsType::from_magic(magic).magic(), magic);
        }
        // An `Other` holding a known magic still reports that magic.
        assert_eq!(FsType::Other(0x7655821).magic(), 0x7655821);
    }
}
