//! The cgroup v1 filesystem driver: [`FsManager`] implements
//! [`cgroups_core::Manager`] by writing the files of the v1 hierarchies directly.
//!
//! One cgroup path (for example `/pods/ctr1`) names a directory in every v1
//! hierarchy: an absolute path starts at each hierarchy's mount point (OCI
//! `cgroupsPath` style), a relative one below the calling process's own cgroup in
//! that hierarchy (`/proc/self/cgroup`, made relative to the mount root when running
//! in a container without cgroup namespace). [`Config::controllers`] restricts the
//! hierarchies used: `cgctl run --controllers cpu,pids` never touches `memory`.
//! Its names are those of `/proc/cgroups`, `name=systemd` (or `systemd`) and
//! `unified`; an unknown name is refused. Selecting one controller of a co-mounted
//! hierarchy (`cpu` on `cpu,cpuacct`) uses the whole hierarchy.
//!
//! # Hierarchies and order
//!
//! Create, join and set walk the hierarchies in this order: cpuset, devices, memory,
//! cpu, cpuacct, pids, blkio, hugetlb, net_cls, net_prio, perf_event, freezer,
//! rdma, name=systemd, misc. `name=systemd` and `misc` are best effort (errors are
//! logged and the hierarchy left out). Co-mounted controllers (`cpu,cpuacct`) share
//! one directory.
//!
//! **Hybrid hosts** (v1 controllers plus a cgroup2 mount, usually
//! `/sys/fs/cgroup/unified`): the cgroup is also created in the unified hierarchy
//! and processes join it (membership only, as systemd expects); nothing is ever
//! written there, no controller is enabled, and
//! [`Manager::cgroup2_dir_fd`] returns `None`. With [`Config::controllers`] set,
//! the unified hierarchy is used only when the list names `unified`. A pure cgroup
//! v2 machine is refused ([`ErrorKind::UnsupportedLayout`]): use `cgroups-fs2`.
//!
//! # What is written, in which order
//!
//! [`Manager::set`] validates first (nothing is written if any field is bad), then
//! checks that every controller the request needs is joined — a controller that is
//! not mounted or not selected is an [`ErrorKind::ControllerUnavailable`] error
//! naming it, never a silent success — and then writes:
//!
//! - **cpuset**: `cpuset.cpus`, `cpuset.mems` (plain `cpus`/`mems` on a `noprefix`
//!   mount). [`Manager::create`] fills every empty level top-down from its parent
//!   before going deeper, because a task cannot join an empty cpuset (C25).
//! - **memory**: `memory.limit_in_bytes` and `memory.memsw.limit_in_bytes` in the
//!   order that keeps memsw ≥ memory (memsw first when it rises above the current
//!   limit, else memory first); EBUSY reports usage and peak. Then
//!   `memory.soft_limit_in_bytes`, `memory.oom_control`, `memory.swappiness`.
//!   Kernel memory limits are never written (C15).
//! - **cpu**: `cpu.shares` (read back: the kernel clamps), `cpu.cfs_period_us` and
//!   `cpu.cfs_burst_us` (EINVAL deferred until after the quota), `cpu.cfs_quota_us`,
//!   `cpu.idle`, then `cpu.rt_period_us`/`cpu.rt_runtime_us`. Realtime bandwidth must
//!   exist before a realtime task joins: call `set` before `add_pid`.
//! - **pids**: `pids.max` (`0` is written as `1`, unlimited as `max`; C21).
//! - **blkio**: `blkio.weight`/`blkio.weight_device` (CFQ) or `blkio.bfq.*` (BFQ),
//!   leaf weights, then one write per entry to `blkio.throttle.*_device`.
//! - **hugetlb**: `hugetlb.<size>.limit_in_bytes`, then `.rsvd.limit_in_bytes` until
//!   the kernel shows it has none.
//! - **net_cls** `net_cls.classid`, **net_prio** `net_prio.ifpriomap` (one entry per
//!   write), **rdma** `rdma.max`, and last **freezer** `freezer.state` (after every
//!   limit, so that a request the kernel refuses part-way never leaves the cgroup
//!   newly frozen).
//! - **devices** (only when [`Resources::devices`] is `Some`): the target state is
//!   computed with the `devices` crate's emulator before anything is written (an
//!   empty list denies every device; a rule that would punch a hole into a wildcard
//!   is refused with [`ErrorKind::InvalidValue`], field `devices`). Then
//!   `devices.list` is read, the minimal transition is written rule by rule to
//!   `devices.allow`/`devices.deny` (between two allow lists without an `a` reset,
//!   so no device both states allow is ever lost and none both deny is opened), and
//!   `devices.list` is read back: exact match for an allow list, the mode for a
//!   deny list ([`ErrorKind::KernelRefused`] otherwise).
//!
//! A failed write stops at once; the error names the file, the value and the errno.
//! The files written before it keep their new values (the kernel has no
//! transactions); repeating the same request is safe.
//!
//! On a hierarchy root (the path `/`), `set` and `add_pid` are refused
//! ([`ErrorKind::InvalidPath`]) unless [`FsManager::allow_root_writes`] allows them;
//! `kill` and `destroy` are always refused there.
//!
//! # Other operations
//!
//! - Freezing writes `FROZEN` until `freezer.state` reads `FROZEN`, at most 1000
//!   times, and thaws again on failure (C24).
//! - [`Manager::pids`], [`Manager::all_pids`] and [`Manager::threads`] (`tasks`) use
//!   the first joined hierarchy where the cgroup exists, among devices, pids,
//!   freezer, cpu, cpuacct, cpuset, blkio, memory, the others, unified.
//!   [`Manager::exists`] is true when the cgroup exists in any joined hierarchy.
//! - [`Manager::kill`] freezes (when the freezer is joined), sends SIGKILL through
//!   pidfds to every process of the tree in every hierarchy, thaws, and repeats until
//!   the tree is empty (bounded). It is refused before anything is frozen when the
//!   calling process is in the tree (`cgroup.procs` in any hierarchy, or the calling
//!   thread in the freezer hierarchy's `tasks`): it would freeze or kill itself.
//! - Walks of the tree (listing, killing, removing) reach sub-cgroups of any name,
//!   UTF-8 or not, and hold a small, fixed number of fds however wide or deep the
//!   tree is.
//! - [`Manager::destroy`] refuses while processes remain ([`ErrorKind::Busy`]) and
//!   removes the cgroup and its sub-cgroups from every hierarchy.
//! - Rootless ([`Config::rootless`]): EPERM/EACCES/EROFS while creating or joining
//!   drops that hierarchy; a later `set` that needs it fails with
//!   [`ErrorKind::PermissionDenied`].
//!
//! Kernel files and syscalls: the interface files above (with `devices.list`),
//! `cgroup.procs`, `tasks`,
//! `freezer.self_freezing`, `memory.usage_in_bytes`, `memory.max_usage_in_bytes`,
//! `/proc/self/cgroup` and `/proc/self/mountinfo` (through `cgroups-core`); mkdir(2),
//! rmdir(2), pidfd_open(2), pidfd_send_signal(2), kill(2).
//!
//! # Example
//!
//! ```no_run
//! use cgroups_core::{CgroupPath, Config, Limit, Manager, Resources};
//! use cgroups_fs::FsManager;
//!
//! # fn main() -> cgroups_core::Result<()> {
//! let config = Config::new(CgroupPath::parse("/jobs/build-42")?)
//!     .controllers(["cpu", "pids", "freezer"]);
//! let manager = FsManager::new(config)?;
//! manager.create()?;
//! let mut resources = Resources::default();
//! resources.pids_max = Some(Limit::Value(256));
//! resources.cpu.shares = Some(512);
//! manager.set(&resources)?;
//! manager.add_pid(std::process::id())?;
//! # Ok(())
//! # }
//! ```
//!
//! # Stability
//!
//! [`FsManager`] and its constructors are the public API; everything else is
//! internal. `FsManager::for_test_tree` exists only with the `test-fixtures`
//! feature, which production builds never enable.
//!
//! [`Config::controllers`]: cgroups_core::Config::controllers
//! [`Config::rootless`]: cgroups_core::Config::rootless
//! [`Manager::set`]: cgroups_core::Manager::set
//! [`Resources::devices`]: cgroups_core::Resources::devices
//! [`Manager::create`]: cgroups_core::Manager::create
//! [`Manager::pids`]: cgroups_core::Manager::pids
//! [`Manager::all_pids`]: cgroups_core::Manager::all_pids
//! [`Manager::threads`]: cgroups_core::Manager::threads
//! [`Manager::exists`]: cgroups_core::Manager::exists
//! [`Manager::kill`]: cgroups_core::Manager::kill
//! [`Manager::destroy`]: cgroups_core::Manager::destroy
//! [`Manager::cgroup2_dir_fd`]: cgroups_core::Manager::cgroup2_dir_fd
//! [`ErrorKind::UnsupportedLayout`]: cgroups_core::ErrorKind::UnsupportedLayout
//! [`ErrorKind::InvalidPath`]: cgroups_core::ErrorKind::InvalidPath
//! [`ErrorKind::ControllerUnavailable`]: cgroups_core::ErrorKind::ControllerUnavailable
//! [`ErrorKind::InvalidValue`]: cgroups_core::ErrorKind::InvalidValue
//! [`ErrorKind::KernelRefused`]: cgroups_core::ErrorKind::KernelRefused
//! [`ErrorKind::Busy`]: cgroups_core::ErrorKind::Busy
//! [`ErrorKind::PermissionDenied`]: cgroups_core::ErrorKind::PermissionDenied

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod apply;
mod controller;
#[cfg(test)]
mod fake;
mod files;
#[cfg(test)]
mod guard_tests;
mod kill;
mod layout;
mod lifecycle;
mod manager;
#[cfg(any(test, feature = "test-fixtures"))]
mod test_tree;
#[cfg(test)]
mod tree_tests;

pub use manager::FsManager;
