//! [`FsManager`]: the cgroup v1 [`Manager`].

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use cgroups_core::{
    CgroupDir, Config, Error, ErrorKind, FreezerState, Hierarchies, Manager, ProcCgroup, Resources,
    Result,
};

use crate::controller::cpuset::Names;
use crate::controller::freezer::{self, FreezerFiles};
use crate::layout::{self, Planned, Role, Selection};

/// One hierarchy in use: its opened root and where the cgroup is below it.
#[derive(Debug)]
pub(crate) struct Hierarchy {
    /// Names from the controller order bound to it; `""` for the unified hierarchy.
    pub(crate) controllers: Vec<&'static str>,
    pub(crate) role: Role,
    pub(crate) root: CgroupDir,
    /// The cgroup below the root, no leading `/`; `""` is the root itself.
    pub(crate) rel: String,
}

impl Hierarchy {
    pub(crate) fn has(&self, controller: &str) -> bool {
        self.controllers.contains(&controller)
    }

    /// The cgroup directory, for messages and [`Manager::paths`].
    pub(crate) fn dir_path(&self) -> PathBuf {
        match self.rel.is_empty() {
            true => self.root.path().to_path_buf(),
            false => self.root.path().join(&self.rel),
        }
    }

    /// Opens the cgroup directory.
    pub(crate) fn open(&self) -> Result<CgroupDir> {
        self.root.open_child(&self.rel)
    }
}

/// The order in which a hierarchy is chosen to list processes: `devices` first (what
/// runtimes always join, as the reference does), then the hierarchies every runtime
/// joins, `memory` late, the unified hierarchy last.
const PIDS_PREFERENCE: [&str; 16] = [
    "devices",
    "pids",
    "freezer",
    "cpu",
    "cpuacct",
    "cpuset",
    "blkio",
    "memory",
    "hugetlb",
    "net_cls",
    "net_prio",
    "perf_event",
    "rdma",
    "name=systemd",
    "misc",
    "",
];

/// A cgroup v1 manager: one cgroup spread over every selected v1 hierarchy (and, on a
/// hybrid host, the unified hierarchy for membership).
///
/// See the [crate page](crate) for what it writes and in which order.
#[derive(Debug)]
pub struct FsManager {
    pub(crate) config: Config,
    pub(crate) selection: Selection,
    pub(crate) hierarchies: Vec<Hierarchy>,
    /// Hierarchies left out after a tolerated error (rootless, best effort).
    dropped: Mutex<BTreeSet<usize>>,
    pub(crate) cpuset_names: Names,
    /// `set` and `add_pid` may act on a hierarchy root ([`FsManager::allow_root_writes`]).
    pub(crate) root_writes: bool,
}

impl FsManager {
    /// A manager for `config` on this machine's cgroup layout
    /// ([`Hierarchies::detect`]).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedLayout`] on a pure cgroup v2 machine; errors of mount
    /// discovery, of `/proc/self/cgroup` (relative paths only) and of opening the
    /// hierarchy roots ([`ErrorKind::NotCgroupfs`] when a mount point is not
    /// cgroupfs).
    pub fn new(config: Config) -> Result<FsManager> {
        FsManager::with_hierarchies(config, Hierarchies::detect()?)
    }

    /// A manager for `config` on the given layout (a container's mountinfo, tests).
    ///
    /// # Errors
    /// As [`FsManager::new`].
    pub fn with_hierarchies(config: Config, hierarchies: &Hierarchies) -> Result<FsManager> {
        let selection = Selection::new(config.controllers.as_deref())?;
        let own = match config.path.is_absolute() {
            true => None,
            false => Some(ProcCgroup::of_process(None)?),
        };
        let planned = layout::plan(hierarchies, &selection, &config.path, own.as_ref())?;
        let opened = planned
            .into_iter()
            .map(|p| {
                let root = CgroupDir::open_root(&p.mount_point)?;
                Ok((p, root))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(FsManager::assemble(config, selection, opened))
    }

    pub(crate) fn assemble(
        config: Config,
        selection: Selection,
        opened: Vec<(Planned, CgroupDir)>,
    ) -> FsManager {
        let hierarchies: Vec<Hierarchy> = opened
            .into_iter()
            .map(|(p, root)| Hierarchy {
                controllers: p.controllers,
                role: p.role,
                root,
                rel: p.rel,
            })
            .collect();
        let cpuset_names = match hierarchies.iter().find(|h| h.has("cpuset")) {
            Some(h) => Names::detect(&h.root),
            None => Names {
                cpus: "cpuset.cpus",
                mems: "cpuset.mems",
            },
        };
        log::debug!(
            "cgroup v1 manager for {}: {} hierarchies",
            config.path,
            hierarchies.len()
        );
        FsManager {
            config,
            selection,
            hierarchies,
            dropped: Mutex::new(BTreeSet::new()),
            cpuset_names,
            root_writes: false,
        }
    }

    /// Allows [`Manager::set`] and [`Manager::add_pid`] when the cgroup is a
    /// hierarchy root (the path `/`). Default: refused with
    /// [`ErrorKind::InvalidPath`], because the root's files belong to the machine
    /// (root `cpuset.cpus` is every process's placement) and moving a process there
    /// takes it out of its cgroup. [`Manager::kill`] and [`Manager::destroy`] are
    /// refused on a root whatever this says.
    pub fn allow_root_writes(mut self, allow: bool) -> FsManager {
        self.root_writes = allow;
        self
    }

    /// Whether the cgroup is a hierarchy root in some hierarchy.
    pub(crate) fn is_root(&self) -> bool {
        self.hierarchies.iter().any(|h| h.rel.is_empty())
    }

    /// Refuses `what` on a hierarchy root unless [`allow_root_writes`] allows it
    /// (`opt_in`).
    ///
    /// [`allow_root_writes`]: FsManager::allow_root_writes
    pub(crate) fn refuse_root(&self, what: &str, opt_in: bool) -> Result<()> {
        if !self.is_root() || (opt_in && self.root_writes) {
            return Ok(());
        }
        let hint = match opt_in {
            true => "use a cgroup below the root, or FsManager::allow_root_writes(true)",
            false => "use a cgroup below the root",
        };
        Err(Error::new(
            ErrorKind::InvalidPath,
            format!(
                "refusing to {what} {}: it is a hierarchy root",
                self.config.path
            ),
        )
        .with_value(self.config.path.to_string())
        .with_hint(hint))
    }

    fn dropped(&self) -> MutexGuard<'_, BTreeSet<usize>> {
        self.dropped.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The hierarchies in use (not dropped), with their index.
    pub(crate) fn active(&self) -> Vec<(usize, &Hierarchy)> {
        let dropped = self.dropped().clone();
        self.hierarchies
            .iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i))
            .collect()
    }

    /// Leaves hierarchy `i` out from now on.
    pub(crate) fn drop_hierarchy(&self, i: usize) {
        self.dropped().insert(i);
    }

    /// The active hierarchy carrying `controller`, or why there is none.
    pub(crate) fn hierarchy_for(&self, controller: &str) -> Result<(usize, &Hierarchy)> {
        if let Some(found) = self.active().into_iter().find(|(_, h)| h.has(controller)) {
            return Ok(found);
        }
        let (kind, why, hint) = if !self.selection.includes(controller) {
            (
                ErrorKind::ControllerUnavailable,
                "is not among the hierarchies this manager was configured with",
                "add it to Config::controllers",
            )
        } else if self.hierarchies.iter().any(|h| h.has(controller)) {
            (
                ErrorKind::PermissionDenied,
                "was dropped: the cgroup could not be created or joined there (rootless)",
                "run as root or get the hierarchy delegated",
            )
        } else {
            (
                ErrorKind::ControllerUnavailable,
                "is not mounted as a cgroup v1 hierarchy on this machine",
                "mount the controller, or leave its settings unset",
            )
        };
        Err(
            Error::new(kind, format!("the {controller} controller {why}"))
                .with_value(controller.to_owned())
                .with_path(self.config.path.to_string())
                .with_hint(hint),
        )
    }

    /// The cgroup directory used to list processes: in the first hierarchy of
    /// `PIDS_PREFERENCE` where it exists (a cgroup left in some hierarchies only is
    /// still listed); the error of the preferred one when it exists nowhere.
    pub(crate) fn listing_dir(&self) -> Result<CgroupDir> {
        let preferred = self.listing_hierarchy()?;
        let first = match preferred.open() {
            Err(e) if e.is_not_found() => e,
            other => return other,
        };
        let active = self.active();
        let others = PIDS_PREFERENCE
            .iter()
            .flat_map(|c| active.iter().filter(move |(_, h)| h.has(c)))
            .filter(|(_, h)| !std::ptr::eq(*h, preferred));
        for (_, h) in others {
            match h.open() {
                Err(e) if e.is_not_found() => continue,
                other => return other,
            }
        }
        Err(first)
    }

    /// The hierarchy used to list processes (see `PIDS_PREFERENCE`).
    pub(crate) fn listing_hierarchy(&self) -> Result<&Hierarchy> {
        let active = self.active();
        PIDS_PREFERENCE
            .iter()
            .find_map(|c| active.iter().find(|(_, h)| h.has(c)).map(|(_, h)| *h))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::ControllerUnavailable,
                    format!("cgroup {} is in no hierarchy", self.config.path),
                )
            })
    }

    /// Whether a tolerated error: rootless permission errors and best-effort
    /// hierarchies drop hierarchy `i` and continue; anything else is returned.
    pub(crate) fn tolerate(&self, i: usize, h: &Hierarchy, e: Error) -> Result<()> {
        let permission = e.kind() == ErrorKind::PermissionDenied;
        if h.role == Role::BestEffort {
            log::debug!("leaving out {}: {e}", h.dir_path().display());
        } else if self.config.rootless && permission {
            log::debug!("rootless: leaving out {}: {e}", h.dir_path().display());
        } else {
            return Err(e);
        }
        self.drop_hierarchy(i);
        Ok(())
    }

    /// The process ids in the cgroup trees of every active hierarchy.
    pub(crate) fn pids_everywhere(&self) -> Result<BTreeSet<u32>> {
        let mut all = BTreeSet::new();
        for (_, h) in self.active() {
            let pids = match h.open().and_then(|d| d.all_pids()) {
                Ok(pids) => pids,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            all.extend(pids);
        }
        Ok(all)
    }

    fn freezer_files(&self) -> Result<CgroupDir> {
        self.hierarchy_for("freezer")?.1.open()
    }
}

impl Manager for FsManager {
    fn create(&self) -> Result<()> {
        crate::lifecycle::create(self)
    }

    /// Refused on a hierarchy root unless [`FsManager::allow_root_writes`].
    fn add_pid(&self, pid: u32) -> Result<()> {
        crate::lifecycle::join(self, None, pid)
    }

    /// `""` is the cgroup itself (as [`add_pid`](Manager::add_pid)).
    fn add_pid_to(&self, sub: &str, pid: u32) -> Result<()> {
        crate::lifecycle::join(self, Some(sub), pid)
    }

    /// Refused on a hierarchy root unless [`FsManager::allow_root_writes`].
    fn set(&self, resources: &Resources) -> Result<()> {
        self.refuse_root("set resources on", true)?;
        crate::apply::set(self, resources)
    }

    fn freeze(&self) -> Result<()> {
        let dir = self.freezer_files()?;
        freezer::freeze(&FreezerFiles(&dir))
    }

    fn thaw(&self) -> Result<()> {
        let dir = self.freezer_files()?;
        freezer::thaw(&FreezerFiles(&dir))
    }

    fn freezer_state(&self) -> Result<FreezerState> {
        let Ok((_, h)) = self.hierarchy_for("freezer") else {
            return Ok(FreezerState::Undefined);
        };
        match h.open() {
            Ok(dir) => freezer::state(&FreezerFiles(&dir)),
            Err(e) if e.is_not_found() => Ok(FreezerState::Undefined),
            Err(e) => Err(e),
        }
    }

    fn pids(&self) -> Result<Vec<u32>> {
        self.listing_dir()?.pids()
    }

    fn all_pids(&self) -> Result<Vec<u32>> {
        self.listing_dir()?.all_pids()
    }

    fn threads(&self) -> Result<Vec<u32>> {
        self.listing_dir()?.threads()
    }

    fn kill(&self) -> Result<()> {
        crate::kill::kill(self)
    }

    fn destroy(&self) -> Result<()> {
        crate::lifecycle::destroy(self)
    }

    /// True when the cgroup directory exists in any hierarchy this manager uses
    /// (not only the first): a cgroup left behind in some hierarchies still exists.
    fn exists(&self) -> bool {
        self.active()
            .iter()
            .any(|(_, h)| h.rel.is_empty() || h.root.exists(&h.rel))
    }

    fn paths(&self) -> BTreeMap<String, PathBuf> {
        let mut paths = BTreeMap::new();
        for (_, h) in self.active() {
            for c in &h.controllers {
                paths.insert((*c).to_owned(), h.dir_path());
            }
        }
        paths
    }

    fn oom_kill_count(&self) -> Result<u64> {
        crate::apply::oom_kill_count(self)
    }

    fn procs_files(&self) -> Result<Vec<File>> {
        self.active()
            .into_iter()
            .map(|(_, h)| {
                h.open()?
                    .open_file("cgroup.procs", cgroups_core::Access::Write)
            })
            .collect()
    }

    /// Always `None`: the v1 driver never offers a cgroup2 directory, not even the
    /// unified one of a hybrid host, because `clone3(CLONE_INTO_CGROUP)` would place
    /// the child only in that hierarchy and skip every v1 hierarchy. Processes join
    /// through [`Manager::procs_files`] instead.
    fn cgroup2_dir_fd(&self) -> Option<Result<OwnedFd>> {
        None
    }
}
