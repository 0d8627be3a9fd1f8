//! The filesystem check every real-kernel test makes on the directory it works in.

use std::path::Path;

use crate::Failed;

/// `CGROUP_SUPER_MAGIC` from `<linux/magic.h>`: a v1 hierarchy.
pub const CGROUP_SUPER_MAGIC: u64 = 0x0027_e0eb;
/// `CGROUP2_SUPER_MAGIC` from `<linux/magic.h>`: the unified hierarchy.
pub const CGROUP2_SUPER_MAGIC: u64 = 0x6367_7270;

/// Fails unless `path` is on cgroupfs (v1 or v2), checked with fstatfs(2) on an
/// `O_PATH` descriptor of it.
pub fn assert_cgroupfs(path: &Path) -> Result<(), Failed> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| Failed::from(format!("open {}: {e}", path.display())))?;
    let stat = rustix::fs::fstatfs(&fd)
        .map_err(|e| Failed::from(format!("fstatfs {}: {e}", path.display())))?;
    // f_type is a signed word on some targets; the magic numbers fit in 32 bits.
    #[allow(clippy::unnecessary_cast)]
    let magic = stat.f_type as u64;
    match magic {
        CGROUP_SUPER_MAGIC | CGROUP2_SUPER_MAGIC => Ok(()),
        other => Err(Failed::from(format!(
            "{} is not on cgroupfs (filesystem magic {other:#x}); refusing to work there",
            path.display()
        ))),
    }
}
