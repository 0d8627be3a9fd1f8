//! The cgroup layout of the machine: mode detection and mount discovery.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::from_pathsafe;
use crate::{CgroupDir, Error, ErrorKind, ProcCgroup, Result};

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
#[non_exhaustive]
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
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsupportedLayout`] when no cgroup filesystem is mounted (an lxcfs
    /// FUSE view is not cgroupfs); [`ErrorKind::NotCgroupfs`] when a mount point from
    /// mountinfo does not have cgroup magic (mounted over since).
    pub fn detect() -> Result<&'static Hierarchies> {
        static CACHE: OnceLock<Hierarchies> = OnceLock::new();
        if let Some(found) = CACHE.get() {
            return Ok(found);
        }
        let procfs = pathsafe::ProcFs::open().map_err(from_pathsafe)?;
        let mounts = procfs
            .mountinfo(pathsafe::ProcBase::SelfProcess)
            .map_err(from_pathsafe)?;
        let found = Hierarchies::from_mounts(&mounts)?;
        found.verify_magic()?;
        log::debug!(
            "cgroup layout: {:?}, unified at {:?}",
            found.mode,
            found.unified_mount()
        );
        Ok(CACHE.get_or_init(|| found))
    }

    /// Builds the layout from mountinfo text (pure; for tests and containers).
    ///
    /// Mounts are recognised by filesystem type, never by path (C03): `cgroup2` is the
    /// unified hierarchy (several: `/sys/fs/cgroup` is preferred, then
    /// `/sys/fs/cgroup/unified`, else the first); `cgroup` mounts are v1 hierarchies,
    /// whose controllers are the super options naming a known v1 controller or
    /// `name=...`. The first mount of each hierarchy wins; bind mounts of the same
    /// controllers later in the file are dropped (C04), as are v1 mounts of
    /// controllers this crate does not know.
    ///
    /// The mode: cgroup2 and no v1 controller → [`CgroupMode::Unified`] (a named v1
    /// hierarchy such as `name=systemd` alone does not count); cgroup2 and v1
    /// controllers → [`CgroupMode::Hybrid`]; v1 only → [`CgroupMode::Legacy`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed mountinfo; [`ErrorKind::UnsupportedLayout`]
    /// when there is no cgroup mount at all.
    pub fn from_mountinfo(text: &str) -> Result<Hierarchies> {
        let mounts = pathsafe::parse_mountinfo(text).map_err(from_pathsafe)?;
        Hierarchies::from_mounts(&mounts)
    }

    fn from_mounts(mounts: &[pathsafe::MountInfo]) -> Result<Hierarchies> {
        let unified = pick_unified(mounts);
        let v1 = v1_hierarchies(mounts);
        let has_v1_controllers = v1
            .iter()
            .any(|h| h.controllers.iter().any(|c| !c.starts_with("name=")));
        let mode = match (&unified, has_v1_controllers, v1.is_empty()) {
            (Some(_), false, _) => CgroupMode::Unified,
            (Some(_), true, _) => CgroupMode::Hybrid,
            (None, _, false) => CgroupMode::Legacy,
            (None, _, true) => {
                return Err(Error::new(
                    ErrorKind::UnsupportedLayout,
                    "no cgroup filesystem is mounted",
                )
                .with_hint(
                    "mount cgroup2 (or the v1 hierarchies); an lxcfs view is not cgroupfs",
                ));
            }
        };
        Ok(Hierarchies { mode, unified, v1 })
    }

    /// Checks that every mount point still has the cgroup magic of its kind.
    fn verify_magic(&self) -> Result<()> {
        if let Some(path) = self.unified_mount() {
            let dir = CgroupDir::open_root(path)?;
            if !dir.is_cgroup2() {
                return Err(not_of_kind(path, "cgroup2"));
            }
        }
        for h in &self.v1 {
            let dir = CgroupDir::open_root(&h.mount_point)?;
            if dir.is_cgroup2() {
                return Err(not_of_kind(&h.mount_point, "cgroup v1"));
            }
        }
        Ok(())
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
        self.v1.iter().find(|h| {
            h.controllers.iter().any(|c| {
                c == controller
                    || c.strip_prefix("name=")
                        .is_some_and(|name| name == controller)
            })
        })
    }

    /// Every v1 hierarchy, once each.
    pub fn v1_all(&self) -> &[V1Hierarchy] {
        &self.v1
    }

    /// The directory of a process's own cgroup (C05): `controller` names a v1
    /// hierarchy (`cpu`, `name=systemd`, `systemd`), `""` the unified one; `proc` is
    /// the process's `/proc/<pid>/cgroup`.
    ///
    /// Inside a container without a cgroup namespace the hierarchy is mounted from the
    /// container's own cgroup, so the mount root is not `/`: the result is the mount
    /// point joined with the cgroup path relative to the mount root.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] when the hierarchy is not mounted or the process has no
    /// entry for it; [`ErrorKind::UnsupportedLayout`] when the cgroup is not below the
    /// mount root (or has `..` components, as seen from inside a cgroup namespace):
    /// this mount does not show it, and no path outside the mount is ever returned.
    pub fn own_path(&self, controller: &str, proc: &ProcCgroup) -> Result<PathBuf> {
        let (mount_point, mount_root, path) = if controller.is_empty() {
            let (mount_point, root) = self.unified.as_ref().ok_or_else(|| {
                Error::new(ErrorKind::NotFound, "no cgroup2 hierarchy is mounted")
            })?;
            let path = proc.unified.as_deref().ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "the process has no \"0::\" cgroup entry",
                )
            })?;
            (mount_point, root.as_str(), path)
        } else {
            let h = self.v1(controller).ok_or_else(|| {
                Error::new(ErrorKind::NotFound, "no v1 hierarchy has this controller")
                    .with_value(controller)
            })?;
            let path = proc.v1_path(controller).ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "the process has no cgroup entry for this controller",
                )
                .with_value(controller)
            })?;
            (&h.mount_point, h.mount_root.as_str(), path)
        };
        let rel = relative_to_root(mount_root, path).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedLayout,
                format!("the cgroup is not below the mount root {mount_root:?} of this hierarchy"),
            )
            .with_path(mount_point)
            .with_value(path)
            .with_hint("this mount does not show the process's cgroup (namespace or container)")
        })?;
        let mut out = mount_point.clone();
        out.extend(rel);
        Ok(out)
    }
}

/// Controllers that cgroup v1 can bind to a hierarchy.
const V1_CONTROLLERS: [&str; 14] = [
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "net_cls",
    "net_prio",
    "blkio",
    "perf_event",
    "hugetlb",
    "pids",
    "rdma",
    "misc",
];

fn pick_unified(mounts: &[pathsafe::MountInfo]) -> Option<(PathBuf, String)> {
    let cgroup2: Vec<&pathsafe::MountInfo> =
        mounts.iter().filter(|m| m.fs_type == "cgroup2").collect();
    let chosen = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .iter()
        .find_map(|want| cgroup2.iter().find(|m| m.mount_point == *want))
        .or_else(|| cgroup2.first())?;
    Some((PathBuf::from(&chosen.mount_point), chosen.root.clone()))
}

fn v1_hierarchies(mounts: &[pathsafe::MountInfo]) -> Vec<V1Hierarchy> {
    let mut out: Vec<V1Hierarchy> = Vec::new();
    for m in mounts.iter().filter(|m| m.fs_type == "cgroup") {
        let controllers: Vec<String> = m
            .super_options
            .split(',')
            .filter(|t| V1_CONTROLLERS.contains(t) || t.starts_with("name="))
            .map(str::to_owned)
            .collect();
        if controllers.is_empty() {
            log::debug!(
                "{}: v1 mount without known controllers, skipped",
                m.mount_point
            );
            continue;
        }
        let seen = out
            .iter()
            .any(|h| h.controllers.iter().any(|c| controllers.contains(c)));
        if seen {
            // A bind mount of a hierarchy already found (C04): the first one wins.
            continue;
        }
        out.push(V1Hierarchy {
            mount_point: PathBuf::from(&m.mount_point),
            mount_root: m.root.clone(),
            controllers,
        });
    }
    out
}

/// The components of `path` below `root` (both absolute cgroup paths); `None` when
/// `path` is not `root` or below it, or has `.`/`..` components.
fn relative_to_root<'a>(root: &str, path: &'a str) -> Option<Vec<&'a str>> {
    let root_parts: Vec<&str> = root.split('/').filter(|c| !c.is_empty()).collect();
    let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if !path.starts_with('/') || parts.iter().any(|c| *c == "." || *c == "..") {
        return None;
    }
    let below =
        parts.len() >= root_parts.len() && parts.iter().zip(&root_parts).all(|(a, b)| a == b);
    below.then(|| parts[root_parts.len()..].to_vec())
}

#[cold]
fn not_of_kind(path: &Path, kind: &str) -> Error {
    Error::new(
        ErrorKind::NotCgroupfs,
        format!("mountinfo says {kind}, but the filesystem is not"),
    )
    .with_path(path)
    .with_hint("the mount point was mounted over or changed since; check /proc/self/mountinfo")
}

#[cfg(test)]
#[path = "mode_tests.rs"]
mod tests;
