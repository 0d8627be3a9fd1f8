//! The [`Manager`] trait that the v1, v2 and systemd drivers implement.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use crate::{CgroupPath, FreezerState, Resources, Result};

/// How a manager finds and treats its cgroup.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Config {
    /// The cgroup: absolute = from each hierarchy root (OCI `cgroupsPath` style),
    /// relative = below the caller's own cgroup.
    pub path: CgroupPath,
    /// Tolerate EPERM/EACCES/EROFS when creating or joining (rootless runtimes), but
    /// never when limits were asked for.
    pub rootless: bool,
    /// v1 only: restrict the hierarchies that are created and joined to these
    /// controllers (`None` = every mounted hierarchy, as runtimes do). Names as in
    /// `/proc/cgroups` (`cpu`, `memory`, `name=systemd`, ...).
    pub controllers: Option<Vec<String>>,
}

impl Config {
    /// A config for `path` with defaults: not rootless, every hierarchy.
    pub fn new(path: CgroupPath) -> Config {
        Config {
            path,
            rootless: false,
            controllers: None,
        }
    }

    /// Sets rootless tolerance.
    pub fn rootless(mut self, rootless: bool) -> Config {
        self.rootless = rootless;
        self
    }

    /// Restricts the v1 hierarchies used.
    pub fn controllers<I, S>(mut self, controllers: I) -> Config
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.controllers = Some(controllers.into_iter().map(Into::into).collect());
        self
    }
}

/// Creates, configures, inspects and removes one cgroup (in every hierarchy that it
/// spans). Object-safe: runtimes hold a `Box<dyn Manager>` chosen at run time.
///
/// Managers can be constructed on an existing cgroup (a runtime restarts, `cgctl
/// update`); [`create`](Manager::create) and [`destroy`](Manager::destroy) are
/// idempotent.
pub trait Manager: std::fmt::Debug + Send + Sync {
    /// Creates the cgroup in every hierarchy (idempotent). Does not move any process.
    fn create(&self) -> Result<()>;

    /// Moves process `pid` into the cgroup in every hierarchy.
    ///
    /// Drivers refuse this on a hierarchy root (a manager on `/`) unless the caller
    /// opted in when building the manager; a pid that does not exist is
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    fn add_pid(&self, pid: u32) -> Result<()>;

    /// Moves `pid` into the sub-cgroup `sub` (relative, refused if it escapes);
    /// `""` is the cgroup itself, as [`add_pid`](Manager::add_pid).
    fn add_pid_to(&self, sub: &str, pid: u32) -> Result<()>;

    /// Applies `resources`.
    ///
    /// Everything that can be checked without the kernel is checked first
    /// ([`validate`](crate::validate::validate), and the driver's own pre-flight
    /// checks such as controller availability): if any of it fails, nothing is
    /// written.
    ///
    /// The kernel offers no transactions, so a write that the kernel itself refuses
    /// (a value a file rejects, a hugepage size this machine lacks, a limit below
    /// current usage, a controller file missing in the cgroup) stops the call
    /// part-way: the files written before it keep their new values, the failing file
    /// and those after it keep their old ones. The error names the failing file
    /// ([`Error::path`](crate::Error::path)), the value and the errno. The freezer
    /// state is applied last, so a failed call never leaves the cgroup newly frozen;
    /// calling `set` again with the same request is safe.
    fn set(&self, resources: &Resources) -> Result<()>;

    /// Freezes every task of the cgroup and waits until they are frozen.
    fn freeze(&self) -> Result<()>;

    /// Thaws the cgroup.
    fn thaw(&self) -> Result<()>;

    /// The current freezer state.
    fn freezer_state(&self) -> Result<FreezerState>;

    /// Processes directly in the cgroup (`cgroup.procs`).
    fn pids(&self) -> Result<Vec<u32>>;

    /// Processes in the cgroup and all its descendants.
    fn all_pids(&self) -> Result<Vec<u32>>;

    /// Threads directly in the cgroup (`tasks` on v1, `cgroup.threads` on v2).
    fn threads(&self) -> Result<Vec<u32>>;

    /// Kills every process of the cgroup and its descendants and waits until empty.
    ///
    /// Refused ([`ErrorKind::InvalidPath`](crate::ErrorKind::InvalidPath)) on a
    /// hierarchy root, and when the calling process is itself in the tree (it would
    /// kill or freeze itself).
    fn kill(&self) -> Result<()>;

    /// Removes the cgroup (and sub-cgroups) from every hierarchy (idempotent). Fails
    /// with [`ErrorKind::Busy`](crate::ErrorKind::Busy) if processes remain: call
    /// [`kill`](Manager::kill) first.
    fn destroy(&self) -> Result<()>;

    /// Whether the cgroup exists: on cgroup v1, in at least one of the hierarchies
    /// the manager uses (a cgroup left in some hierarchies only, by a partial
    /// removal or by another tool, still exists and can be destroyed).
    fn exists(&self) -> bool;

    /// The directory of the cgroup per controller (v1) or `""` for the unified
    /// hierarchy.
    fn paths(&self) -> BTreeMap<String, PathBuf>;

    /// How many times the OOM killer killed a task of this cgroup.
    fn oom_kill_count(&self) -> Result<u64>;

    /// `cgroup.procs` of every hierarchy, opened for writing, so that a new process can
    /// join by writing `0` before it execs (see [`spawn`](crate::spawn)).
    fn procs_files(&self) -> Result<Vec<File>>;

    /// The cgroup2 directory, for `clone3(CLONE_INTO_CGROUP)`, when the cgroup lives
    /// in a cgroup2 hierarchy.
    fn cgroup2_dir_fd(&self) -> Option<Result<OwnedFd>>;
}
