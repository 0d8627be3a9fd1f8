//! What every cgroup driver of the workspace shares.
//!
//! (The crate page is written by the implementation; see the module docs.)

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
