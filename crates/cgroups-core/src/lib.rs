//! What every cgroup driver of the workspace shares: the layout of the machine, cgroup
//! paths, the [`Resources`] model and its validation, the value conversions between
//! cgroup v1, cgroup v2 and OCI, the [`Manager`] trait, and cgroup file I/O.
//!
//! Linux control groups are files: one hierarchy per controller in cgroup v1
//! ("legacy"), one unified hierarchy in cgroup v2, or both at once ("hybrid",
//! cgroup2 usually at `/sys/fs/cgroup/unified`). The drivers (`cgroups-fs` for v1,
//! `cgroups-fs2` for v2, `cgroups-systemd`) implement [`Manager`] on top of this
//! crate; `cgroup-stats` reads statistics through [`CgroupDir`].
//!
//! - [`Hierarchies::detect`] reads `/proc/self/mountinfo` once and tells the
//!   [`CgroupMode`]; a hybrid host is reported as such, never silently treated as v1.
//!   [`ProcCgroup`] parses `/proc/<pid>/cgroup` and
//!   [`Hierarchies::own_path`] finds a process's own cgroup directory, also inside a
//!   container whose hierarchy is mounted from a sub-cgroup.
//! - [`CgroupPath`] refuses hostile names (`..`, empty components, NUL) instead of
//!   rewriting them.
//! - [`CgroupDir`] opens files beneath a hierarchy root whose filesystem magic was
//!   checked, with `openat2(2)` (`RESOLVE_BENEATH`, and on cgroup2
//!   `RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS`) or an equivalent fallback; writes are
//!   one `write(2)` per value with errors naming file, value and errno; removal
//!   retries `EBUSY`.
//! - [`validate::validate`] refuses what the kernel would refuse, before any write;
//!   [`convert`] holds every numeric convention (shares → weight, memory+swap →
//!   `memory.swap.max`, blkio → io weight, `cpu.max`, pids, OCI `0`/`-1`).
//! - [`spawn::spawn_in`] starts a command that is inside the cgroup before it execs;
//!   [`spawn::Spawn`] creates it there with `clone3(CLONE_INTO_CGROUP)` on cgroup2.
//!
//! Kernel files touched: `/proc/self/mountinfo`, `/proc/<pid>/cgroup`, and inside
//! cgroup directories the files the callers name (`cgroup.procs`, `cgroup.threads`,
//! `tasks`, limits). System calls: `openat2`/`openat`, `fstatfs`, `read`, `write`,
//! `mkdirat`, `unlinkat(AT_REMOVEDIR)`, `getdents64`; `write` on pre-opened
//! `cgroup.procs` between `fork` and `execve` in [`spawn::spawn_in`]; `clone3`,
//! `execve`, `pidfd_open`, `pidfd_send_signal` and `waitid(P_PIDFD)` in [`spawn`].
//!
//! ```no_run
//! use cgroups_core::{CgroupDir, CgroupMode, Hierarchies};
//!
//! let layout = Hierarchies::detect()?;
//! if layout.mode() == CgroupMode::Unified {
//!     let root = CgroupDir::open_root(layout.unified_mount().unwrap())?;
//!     let (job, _created) = root.create_child_all("jobs/job-1")?;
//!     job.write("pids.max", "64")?;
//!     job.add_pid(std::process::id())?;
//!     println!("pids: {:?}", job.pids()?);
//! }
//! # Ok::<(), cgroups_core::Error>(())
//! ```
//!
//! # Features
//!
//! - `serde`: `Serialize`/`Deserialize` for the [`Resources`] model (device rules are
//!   skipped).
//! - `oci`: `TryFrom<&oci_spec::runtime::LinuxResources>` for [`Resources`].
//! - `test-fixtures`: `CgroupDir::open_test_root` for fake cgroup trees in temp
//!   directories, and the switches of `testing`. Tests only; never enable it in a
//!   production dependency.
//!
//! # Stability
//!
//! Everything public follows semver, except what the `oci` feature adds (it follows
//! `oci-spec` releases) and the `test-fixtures` API. [`ErrorKind`] and the resource
//! structs are `#[non_exhaustive]`: match with a wildcard and build resources from
//! `Default`. No dependency's type appears in the public API.

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod convert;
mod error;
mod fsio;
mod manager;
mod mode;
#[cfg(feature = "oci")]
mod oci;
mod path;
mod proc_cgroup;
mod resources;
mod retry;
pub mod spawn;
mod sys;
pub mod validate;
mod values;
mod walk;

pub use error::{Error, ErrorKind, Result};
#[cfg(feature = "test-fixtures")]
pub use fsio::TestTree;
pub use fsio::{Access, CgroupDir};
pub use manager::{Config, Manager};
pub use mode::{CgroupMode, Hierarchies, V1Hierarchy};
pub use path::CgroupPath;
pub use proc_cgroup::ProcCgroup;
pub use resources::{
    BlockIoResources, CpuQuota, CpuResources, CpusetResources, DeviceNumber, FreezerState,
    HugetlbLimit, Limit, MemoryResources, NetworkResources, RdmaLimit, Resources, ThrottleDevice,
    WeightDevice,
};

/// Whether this kernel offers `openat2(2)` to this process (probed once: ENOSYS, or
/// EPERM from a seccomp filter, mean no). Without it every lookup takes the
/// component-walk fallback, which is correct but costs a syscall per component.
pub fn openat2_supported() -> bool {
    pathsafe::openat2_supported()
}

/// Test-only switches (feature `test-fixtures`).
#[cfg(feature = "test-fixtures")]
pub mod testing {
    /// Thread-local: hierarchy roots opened afterwards *on this thread* resolve names
    /// with pathsafe's component walk instead of `openat2(2)`, so that both paths can
    /// be tested on a kernel that has openat2. Returns the previous value.
    pub fn force_openat2_fallback(on: bool) -> bool {
        pathsafe::testing::force_fallback(on)
    }

    /// Thread-local: [`Spawn::start_in`](crate::spawn::Spawn::start_in) on this
    /// thread never tries `clone3` and takes the fork path, as on a kernel without
    /// `CLONE_INTO_CGROUP`. Returns the previous value.
    pub fn force_clone3_fallback(on: bool) -> bool {
        crate::spawn::force_fallback(on)
    }
}
