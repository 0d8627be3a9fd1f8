//! The cgroup layout of the machine: mode detection and mount discovery.

use std::path::{Path, PathBuf};

use crate::Result;

/// How cgroups are mounted.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CgroupMode {
    /// cgroup v1 hierarchies only.
    Legacy,
    /// v1 hierarchies for the controllers plus a cgroup2 mount (usually
    /// `/sys/fs/cgroup/unified`) for process tracking and the controllers v1 left free.
    Hybrid,
    /// One cgroup2 hierarchy.
    Unified,
}

/// A mounted v1 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Hierarchy {
    /// Where it is mounted (first mount of the hierarchy wins, C04).
    pub mount_point: PathBuf,
    /// The mount root inside the hierarchy (`/` on a host, a container's own cgroup
    /// inside a container without cgroup namespace, C05).
    pub mount_root: String,
    /// Controllers bound to it; named hierarchies keep the `name=` prefix
    /// (`name=systemd`).
    pub controllers: Vec<String>,
}

/// The cgroup mounts of the machine, found once from mountinfo and filesystem magic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchies {
    mode: CgroupMode,
    unified: Option<(PathBuf, String)>,
    v1: Vec<V1Hierarchy>,
}

impl Hierarchies {
    /// Detects the layout of this machine (reads `/proc/self/mountinfo` through the
    /// verified procfs and checks filesystem magic). Cached after the first success.
    pub fn detect() -> Result<&'static Hierarchies> {
        todo!()
    }

    /// Builds the layout from mountinfo text (pure; for tests and containers).
    pub fn from_mountinfo(text: &str) -> Result<Hierarchies> {
        let _ = text;
        todo!()
    }

    /// The mode.
    pub fn mode(&self) -> CgroupMode {
        self.mode
    }

    /// The cgroup2 mount point, if any (pure v2 or hybrid).
    pub fn unified_mount(&self) -> Option<&Path> {
        self.unified.as_ref().map(|(p, _)| p.as_path())
    }

    /// The mount root of the cgroup2 mount.
    pub fn unified_mount_root(&self) -> Option<&str> {
        self.unified.as_ref().map(|(_, r)| r.as_str())
    }

    /// The v1 hierarchy that has `controller` (whole-token match: `cpu` never matches
    /// `cpuset`; `systemd` and `name=systemd` both find the named hierarchy).
    pub fn v1(&self, controller: &str) -> Option<&V1Hierarchy> {
        let _ = controller;
        todo!()
    }

    /// Every v1 hierarchy, once each.
    pub fn v1_all(&self) -> &[V1Hierarchy] {
        &self.v1
    }
}

/// `/proc/<pid>/cgroup`: the cgroup of a process in each hierarchy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcCgroup {
    /// v1 controller (or `name=...`) → path. Co-mounted controllers get one entry each.
    pub v1: std::collections::BTreeMap<String, String>,
    /// The `0::` entry: the path in the cgroup2 hierarchy.
    pub unified: Option<String>,
}

impl ProcCgroup {
    /// Parses `/proc/<pid>/cgroup` text (C06, C07): each line split into at most three
    /// fields, so paths may contain `:`; a line with fewer than two colons is an error.
    pub fn parse(text: &str) -> Result<ProcCgroup> {
        let _ = text;
        todo!()
    }

    /// Reads and parses the file of `pid` (`None` = the calling process).
    pub fn of_process(pid: Option<u32>) -> Result<ProcCgroup> {
        let _ = pid;
        todo!()
    }
}
