//! Opening a statistics reader for a cgroup path on this machine's layout.

use std::path::Path;

use cgroup_stats::{Controllers, Reader, ReaderOptions, V1Dirs};
use cgroups_core::{CgroupDir, CgroupMode, Hierarchies};

use crate::{Failure, Result};

/// The hierarchies a v1 reader takes a directory from.
const V1_READ: [&str; 9] = [
    "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb", "rdma", "misc",
];

fn stats_failure(e: cgroup_stats::Error) -> Failure {
    Failure::usage(e.to_string())
}

/// Opens `rel` (no leading `/`, `""` for the root) beneath the mount `mount`.
pub fn open_dir(mount: &Path, rel: &str) -> Result<CgroupDir> {
    let root = CgroupDir::open_root(mount)?;
    Ok(root.open_child(rel)?)
}

/// A reader of the cgroup `rel` (relative to every hierarchy root).
pub fn open_reader(h: &Hierarchies, rel: &str, controllers: Controllers) -> Result<Reader> {
    let options = ReaderOptions::with_controllers(controllers);
    if h.mode() == CgroupMode::Unified {
        let mount = h
            .unified_mount()
            .ok_or_else(|| Failure::usage("no cgroup2 mount"))?;
        let dir = open_dir(mount, rel)?;
        return Reader::open_v2(&dir, options).map_err(stats_failure);
    }
    let mut dirs = V1Dirs::new();
    let mut any = false;
    for controller in V1_READ {
        let Some(hierarchy) = h.v1(controller) else {
            continue;
        };
        let root = CgroupDir::open_root(&hierarchy.mount_point)?;
        if !rel.is_empty() && !root.exists(rel) {
            continue;
        }
        dirs.set(controller, root.open_child(rel)?);
        any = true;
    }
    if !any {
        return Err(Failure::usage(format!(
            "/{rel} exists in no v1 hierarchy: see `cgctl info` and `cgctl ps`"
        )));
    }
    Reader::open_v1(&dirs, options).map_err(stats_failure)
}

/// Parses `--controllers`.
pub fn controllers(list: Option<&str>) -> Result<Controllers> {
    match list {
        None => Ok(Controllers::all()),
        Some(list) => Controllers::from_names(list)
            .map_err(|bad| Failure::usage(format!("unknown controller {bad:?} in --controllers"))),
    }
}

/// The path as typed, without the leading `/`.
pub fn relative(path: &str) -> &str {
    path.trim_start_matches('/').trim_end_matches('/')
}
