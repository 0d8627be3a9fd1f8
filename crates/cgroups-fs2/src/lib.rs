//! The cgroup v2 filesystem driver: [`Fs2Manager`] implements
//! [`cgroups_core::Manager`] by writing the files of one cgroup in the unified
//! hierarchy.
//!
//! # Where the cgroup is
//!
//! [`Fs2Manager::new`] finds the cgroup2 mount by mount discovery
//! ([`Hierarchies::detect`](cgroups_core::Hierarchies::detect)): `/sys/fs/cgroup` on
//! a unified host, `/sys/fs/cgroup/unified` on a hybrid one, or any other mount point;
//! [`Fs2Manager::with_root`] takes the mount explicitly. An absolute config path is
//! below the mount; a relative one is below the *parent* of the caller's own cgroup
//! (the own cgroup holds the caller, and a cgroup with processes cannot enable
//! controllers for children).
//!
//! # Kernel files and system calls
//!
//! - creation: `mkdir(2)` per level, `cgroup.type`, `cgroup.controllers`,
//!   `cgroup.subtree_control`;
//! - limits, in this order (the reference's): `pids.max`; `memory.swap.max` (first,
//!   converted from memory+swap), `memory.max`, `memory.low`, `memory.high`,
//!   `memory.min`, `memory.oom.group`; `io.bfq.weight` or `io.weight`, `io.max`;
//!   `cpu.idle`, `cpu.weight`, `cpu.max.burst`, `cpu.max`; `cpuset.cpus`,
//!   `cpuset.mems`; `hugetlb.<size>.max`, `hugetlb.<size>.rsvd.max`; `rdma.max`;
//!   `cgroup.freeze`; then the raw `unified` keys, last, so they override;
//! - freezing: `cgroup.freeze`, `cgroup.events` (`frozen`), waited for with
//!   `poll(2)` (`POLLPRI`), never a sleeping loop;
//! - killing: `cgroup.kill`, or freeze + `pidfd_open(2)`/`pidfd_send_signal(2)`
//!   SIGKILL (`kill(2)` without pidfds) + thaw; then `populated 0` in
//!   `cgroup.events`;
//! - membership and accounting: `cgroup.procs`, `cgroup.threads`, `memory.events`
//!   (`oom_kill`); removal: `rmdir(2)` depth first.
//!
//! Every open goes through `cgroups-core`'s [`CgroupDir`](cgroups_core::CgroupDir):
//! fd-based, beneath the verified cgroup2 root.
//!
//! # Controller enabling policy
//!
//! Along a new path only the controllers that the requested resources need are
//! enabled (a memory limit enables `memory`, nothing else), parent by parent, where
//! the parent's `cgroup.subtree_control` lacks them. `set` does the same lazily, so a
//! later update that needs another controller enables it then. The hierarchy root's
//! `cgroup.subtree_control` is never written unless [`Fs2Manager::enable_at_root`]
//! allows it. A controller missing from a parent's `cgroup.controllers` (or not
//! enabled at a root we may not touch) fails with
//! [`ErrorKind::ControllerUnavailable`](cgroups_core::ErrorKind::ControllerUnavailable)
//! naming the controller and the cgroup; a parent that has processes of its own fails
//! with [`ErrorKind::NoInternalProcess`](cgroups_core::ErrorKind::NoInternalProcess).
//! In a threaded subtree, `domain invalid` cgroups are made `threaded`, and
//! domain-only controllers (`memory`, `io`, `hugetlb`, `rdma`, `misc`) are refused.
//!
//! # Not supported yet
//!
//! Device rules (an eBPF program on v2) are refused with an error rather than
//! ignored, until the `devices` crate can attach programs.
//!
//! # Example
//!
//! ```no_run
//! use cgroups_core::{CgroupPath, Config, Limit, Manager, Resources};
//! use cgroups_fs2::Fs2Manager;
//!
//! # fn main() -> Result<(), cgroups_core::Error> {
//! let config = Config::new(CgroupPath::parse("/jobs/build-42")?);
//! let manager = Fs2Manager::new(config)?;
//! let mut resources = Resources::default();
//! resources.memory.limit_bytes = Some(Limit::Value(256 << 20));
//! resources.pids_max = Some(Limit::Value(512));
//! manager.create_with(&resources)?;
//! manager.set(&resources)?;
//! manager.add_pid(std::process::id())?;
//! // ... later
//! manager.kill_and_destroy()?;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod controllers;
mod create;
mod events;
#[cfg(test)]
mod fake;
mod files;
mod freezer;
mod kill;
mod manager;
mod paths;
mod set;

pub use manager::Fs2Manager;
