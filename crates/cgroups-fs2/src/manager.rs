//! [`Fs2Manager`]: the cgroup v2 driver behind [`Manager`].

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};

use cgroups_core::validate::{Version, validate};
use cgroups_core::{
    Access, CgroupDir, CgroupPath, Config, Error, ErrorKind, FreezerState, Hierarchies, Manager,
    Resources, Result,
};

use crate::controllers::needed;
use crate::events::value_of;
use crate::files::Files;
use crate::set::{CpuMaxMode, SetContext};
use crate::{create, device_filter, freezer, kill, paths, set};

/// A cgroup in the cgroup2 hierarchy, managed through its files.
///
/// See the [crate page](crate) for the files, the write order and the controller
/// enabling policy.
#[derive(Debug)]
pub struct Fs2Manager {
    config: Config,
    root: CgroupDir,
    path: CgroupPath,
    rel: String,
    enable_at_root: bool,
    root_writes: bool,
    kill_policy: kill::KillPolicy,
    hugetlb_rsvd: AtomicBool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The cgroup was made by [`Fs2Manager::create_with`] and not `set` since (C20).
    fresh: bool,
}

impl Fs2Manager {
    /// A manager for `config.path` in the cgroup2 hierarchy found by mount discovery
    /// (`/sys/fs/cgroup` on a unified host, `/sys/fs/cgroup/unified` on a hybrid
    /// one, or wherever mountinfo says). Creates nothing.
    ///
    /// A relative `config.path` is below the parent of the caller's own cgroup: see
    /// [`with_root`](Self::with_root).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedLayout`] without a cgroup2 mount; errors of mount
    /// discovery and of reading `/proc/self/cgroup`.
    pub fn new(config: Config) -> Result<Fs2Manager> {
        let hierarchies = Hierarchies::detect()?;
        let mount = hierarchies.unified_mount().ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedLayout,
                "no cgroup2 hierarchy is mounted",
            )
            .with_hint("use the cgroup v1 driver on a legacy host")
        })?;
        Self::with_root(config, mount)
    }

    /// A manager for `config.path` below the cgroup2 mount point `mount`.
    ///
    /// An absolute path is from the mount's root. A relative path is below the
    /// **parent** of the caller's own cgroup: the own cgroup holds the caller, and by
    /// the cgroup v2 no-internal-process rule a cgroup with processes cannot enable
    /// controllers for children, so its parent is the usable base (as in the Go
    /// reference). Relative paths need `mount` to be the mount that discovery finds.
    ///
    /// # Errors
    /// [`ErrorKind::NotCgroupfs`] / [`ErrorKind::UnsupportedLayout`] when `mount` is
    /// not a cgroup2 mount.
    pub fn with_root(config: Config, mount: &Path) -> Result<Fs2Manager> {
        let root = CgroupDir::open_root(mount)?;
        if !root.is_cgroup2() {
            let msg = "not a cgroup2 mount (this is a cgroup v1 hierarchy)";
            return Err(Error::new(ErrorKind::UnsupportedLayout, msg).with_path(mount));
        }
        let path = paths::resolve(&config.path, || {
            let hierarchies = Hierarchies::detect()?;
            if hierarchies.unified_mount() != Some(mount) {
                let msg = "a relative cgroup path needs the cgroup2 mount that discovery finds";
                return Err(Error::new(ErrorKind::UnsupportedLayout, msg).with_path(mount));
            }
            paths::own_relative_to(hierarchies, mount)
        })?;
        Ok(Self::from_parts(config, root, path))
    }

    /// A manager on a fake hierarchy in a temp dir (tests only): writes create the
    /// files they write, and the filesystem is not checked. A relative `config.path`
    /// is below `root` itself (a test tree has no "own cgroup").
    #[cfg(any(test, feature = "test-fixtures"))]
    pub fn for_test_tree(config: Config, root: &Path) -> Result<Fs2Manager> {
        let tree = cgroups_core::TestTree {
            require_cgroupfs: false,
            create_on_write: true,
        };
        let root = CgroupDir::open_test_root(root, tree)?;
        let path = paths::resolve(&config.path, || Ok(String::new()))?;
        Ok(Self::from_parts(config, root, path))
    }

    fn from_parts(config: Config, root: CgroupDir, path: CgroupPath) -> Fs2Manager {
        Fs2Manager {
            rel: path.relative_str(),
            config,
            root,
            path,
            enable_at_root: false,
            root_writes: false,
            kill_policy: kill::KillPolicy::default(),
            hugetlb_rsvd: AtomicBool::new(true),
            state: Mutex::new(State::default()),
        }
    }

    /// Allows writing the hierarchy root's `cgroup.subtree_control` to enable the
    /// controllers a request needs (default: never; the root belongs to the machine
    /// or to systemd, and a missing controller is reported instead).
    pub fn enable_at_root(mut self, allow: bool) -> Fs2Manager {
        self.enable_at_root = allow;
        self
    }

    /// Allows [`set`](Manager::set) and [`add_pid`](Manager::add_pid) when the
    /// manager's cgroup is the hierarchy root itself (the path `/`). Default:
    /// refused with [`ErrorKind::InvalidPath`]: the root's files belong to the
    /// machine and moving a process there (PID 1, say) takes it out of its cgroup.
    /// [`kill`](Manager::kill) and [`destroy`](Manager::destroy) are refused on the
    /// root whatever this says.
    pub fn allow_root_writes(mut self, allow: bool) -> Fs2Manager {
        self.root_writes = allow;
        self
    }

    /// Tests only: kill with freeze + SIGKILL + thaw even where `cgroup.kill` exists,
    /// so that the fallback for kernels before 5.14 is tested too.
    #[cfg(any(test, feature = "test-fixtures"))]
    pub fn force_kill_fallback(mut self, force: bool) -> Fs2Manager {
        self.kill_policy.signals = force;
        self
    }

    /// Tests only: in the kill fallback, signal with `kill(2)` instead of pidfds (as
    /// on kernels before 5.3, where `pidfd_open(2)` fails with ENOSYS). Implies
    /// [`force_kill_fallback`](Self::force_kill_fallback).
    #[cfg(any(test, feature = "test-fixtures"))]
    pub fn force_kill_without_pidfd(mut self, force: bool) -> Fs2Manager {
        self.kill_policy.no_pidfd = force;
        self
    }

    /// The cgroup's directory.
    pub fn dir_path(&self) -> PathBuf {
        match self.rel.is_empty() {
            true => self.root.path().to_path_buf(),
            false => self.root.path().join(&self.rel),
        }
    }

    /// Creates the cgroup (every missing level) and enables along the path the
    /// controllers that `resources` need, fixing `cgroup.type` where the path runs
    /// through a threaded subtree. On failure the levels this call made are removed.
    /// Nothing is written to the cgroup's own limit files: call
    /// [`set`](Manager::set) for that.
    ///
    /// With [`Config::rootless`], a permission error when no controller is needed is
    /// tolerated (logged; nothing is created).
    ///
    /// # Errors
    /// [`ErrorKind::ControllerUnavailable`] naming a needed controller and the cgroup
    /// that lacks it; [`ErrorKind::NoInternalProcess`] when a parent on the path has
    /// processes; validation errors of the resources.
    pub fn create_with(&self, resources: &Resources) -> Result<()> {
        check_request(resources)?;
        let needed = needed(resources);
        match create::create(&self.root, &self.rel, needed, self.enable_at_root) {
            Ok(created) => {
                self.lock().fresh = created.leaf_made;
                Ok(())
            }
            Err(e)
                if e.kind() == ErrorKind::PermissionDenied
                    && self.config.rootless
                    && needed.is_empty() =>
            {
                log::debug!("rootless: cannot create {}: {e}", self.dir_path().display());
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// [`kill`](Manager::kill), then [`destroy`](Manager::destroy).
    pub fn kill_and_destroy(&self) -> Result<()> {
        self.kill()?;
        self.destroy()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn dir(&self) -> Result<CgroupDir> {
        self.root.open_child(&self.rel)
    }

    fn refuse_root(&self, what: &str) -> Result<()> {
        match self.rel.is_empty() {
            true => {
                let msg = format!("refusing to {what} the hierarchy root");
                Err(Error::new(ErrorKind::InvalidPath, msg).with_path(self.root.path()))
            }
            false => Ok(()),
        }
    }

    /// [`refuse_root`](Self::refuse_root) unless [`allow_root_writes`] allowed it.
    ///
    /// [`allow_root_writes`]: Fs2Manager::allow_root_writes
    fn refuse_root_write(&self, what: &str) -> Result<()> {
        match self.root_writes {
            true => Ok(()),
            false => self.refuse_root(what).map_err(|e| {
                e.with_hint("use a cgroup below the root, or Fs2Manager::allow_root_writes(true)")
            }),
        }
    }

    fn apply_freezer(dir: &CgroupDir, state: FreezerState) -> Result<()> {
        match state {
            FreezerState::Frozen => freezer::freeze(dir, freezer::FREEZE_BUDGET),
            FreezerState::Thawed => freezer::thaw(dir),
            _ => Ok(()),
        }
    }

    /// An `O_RDONLY | O_CLOEXEC` fd of the cgroup directory, opened beneath the
    /// verified root as an entry of the parent, and checked to be a directory.
    ///
    /// TODO(cgroups-core: a `CgroupDir` method that opens the directory itself
    /// `O_RDONLY | O_DIRECTORY`): then the hierarchy root works too.
    fn open_dir_fd(&self) -> Result<OwnedFd> {
        let (parent, name) = match self.rel.rsplit_once('/') {
            Some((parent, name)) => (parent, name),
            None if !self.rel.is_empty() => ("", self.rel.as_str()),
            None => {
                return Err(
                    Error::new(ErrorKind::InvalidPath, "no directory fd for the root")
                        .with_path(self.root.path()),
                );
            }
        };
        let file = self
            .root
            .open_child(parent)?
            .open_file(name, Access::Read)?;
        let stat = rustix::fs::fstat(&file)
            .map_err(|e| Error::from_errno("fstat failed", self.dir_path(), e.raw_os_error()))?;
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::Directory {
            return Err(
                Error::new(ErrorKind::NotFound, "the cgroup is not a directory")
                    .with_path(self.dir_path()),
            );
        }
        Ok(OwnedFd::from(file))
    }
}

/// Checks done before anything is written: validation, device rules (compiled into
/// their eBPF program), unified keys.
fn check_request(resources: &Resources) -> Result<Option<devices::ebpf::DeviceFilter>> {
    validate(resources, Version::V2)?;
    let filter = device_filter::filter(resources)?;
    set::check_keys(&resources.unified)?;
    Ok(filter)
}

impl Manager for Fs2Manager {
    fn create(&self) -> Result<()> {
        self.create_with(&Resources::default())
    }

    /// Refused on the hierarchy root unless [`Fs2Manager::allow_root_writes`].
    fn add_pid(&self, pid: u32) -> Result<()> {
        self.refuse_root_write("move a process into")?;
        self.dir()?.add_pid(pid)
    }

    /// `""` is the cgroup itself (as [`add_pid`](Manager::add_pid)).
    fn add_pid_to(&self, sub: &str, pid: u32) -> Result<()> {
        if sub.is_empty() {
            return self.add_pid(pid);
        }
        let target = self.path.join(sub)?;
        self.root.open_child(&target.relative_str())?.add_pid(pid)
    }

    /// Device rules are applied first (the step most likely to fail: program load
    /// and attach), then the files in the reference order, the freezer state last.
    /// Refused on the hierarchy root unless [`Fs2Manager::allow_root_writes`].
    fn set(&self, resources: &Resources) -> Result<()> {
        self.refuse_root_write("set resources on")?;
        let filter = check_request(resources)?;
        create::prepare(
            &self.root,
            &self.rel,
            needed(resources),
            self.enable_at_root,
        )?;
        if let Some(filter) = &filter {
            device_filter::apply(&self.open_dir_fd()?, &self.dir_path(), filter)?;
        }
        let dir = self.dir()?;
        let mut state = self.lock();
        let cpu_max = match state.fresh {
            true => CpuMaxMode::Create,
            false => CpuMaxMode::Update,
        };
        state.fresh = false;
        drop(state);
        let ctx = SetContext {
            cpu_max,
            hugetlb_rsvd: &self.hugetlb_rsvd,
        };
        set::apply(&dir, resources, &ctx, &mut |s| Self::apply_freezer(&dir, s))
    }

    fn freeze(&self) -> Result<()> {
        freezer::freeze(&self.dir()?, freezer::FREEZE_BUDGET)
    }

    fn thaw(&self) -> Result<()> {
        freezer::thaw(&self.dir()?)
    }

    fn freezer_state(&self) -> Result<FreezerState> {
        match self.dir() {
            Ok(dir) => freezer::state(&dir),
            Err(e) if e.is_not_found() => Ok(FreezerState::Undefined),
            Err(e) => Err(e),
        }
    }

    fn pids(&self) -> Result<Vec<u32>> {
        self.dir()?.pids()
    }

    /// Each process once, sorted: the `cgroup.procs` of a threaded root also lists
    /// the processes of its threaded subtree, which the walk meets again below.
    fn all_pids(&self) -> Result<Vec<u32>> {
        let mut pids = self.dir()?.all_pids()?;
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    fn threads(&self) -> Result<Vec<u32>> {
        self.dir()?.threads()
    }

    fn kill(&self) -> Result<()> {
        self.refuse_root("kill every process of")?;
        match self.dir() {
            Ok(dir) => kill::kill(&dir, self.kill_policy),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Removes the cgroup and its sub-cgroups. Does not kill: a populated cgroup
    /// (`populated 1` in `cgroup.events`) is refused with [`ErrorKind::Busy`]; use
    /// [`Fs2Manager::kill_and_destroy`]. A missing cgroup is success.
    fn destroy(&self) -> Result<()> {
        self.refuse_root("remove")?;
        let dir = match self.dir() {
            Ok(dir) => dir,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        let events = match Files::read_optional(&dir, "cgroup.events") {
            Ok(events) => events.unwrap_or_default(),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if value_of(&events, "populated") == Some("1") {
            let msg = "the cgroup still has processes (populated 1 in cgroup.events)";
            return Err(Error::new(ErrorKind::Busy, msg)
                .with_path(self.dir_path())
                .with_hint("kill them first (Manager::kill or Fs2Manager::kill_and_destroy)"));
        }
        if self.root.is_cgroup2() {
            // The kernel would release our device filter with the cgroup, but only
            // once the cgroup is freed; detaching first makes it immediate.
            device_filter::detach(&self.open_dir_fd()?, &self.dir_path())?;
        }
        self.root.remove_tree(&self.rel)
    }

    fn exists(&self) -> bool {
        self.rel.is_empty() || self.root.exists(&self.rel)
    }

    fn paths(&self) -> BTreeMap<String, PathBuf> {
        BTreeMap::from([(String::new(), self.dir_path())])
    }

    /// `oom_kill` of `memory.events` (0 when the key is absent). Without the memory
    /// controller the file is missing: an error, except for rootless managers (0).
    fn oom_kill_count(&self) -> Result<u64> {
        let text = match self.dir().and_then(|d| Files::read(&d, "memory.events")) {
            Ok(text) => text,
            Err(e) if e.is_not_found() && self.config.rootless => return Ok(0),
            Err(e) => return Err(e),
        };
        match value_of(&text, "oom_kill") {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| {
                Error::new(ErrorKind::Parse, "oom_kill is not a number")
                    .with_path(self.dir_path().join("memory.events"))
                    .with_value(v)
            }),
        }
    }

    fn procs_files(&self) -> Result<Vec<File>> {
        Ok(vec![self.dir()?.open_file("cgroup.procs", Access::Write)?])
    }

    fn cgroup2_dir_fd(&self) -> Option<Result<OwnedFd>> {
        Some(self.open_dir_fd())
    }
}

#[cfg(test)]
#[path = "manager_tests.rs"]
mod tests;
