//! Reading the summary figures of the run's cgroup through `cgroup-stats`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cgroup_stats::{UsageSummary, V1Dirs};
use cgroups_core::{CgroupDir, CgroupMode, Hierarchies};

use crate::backend::Backend;
use crate::summary::Usage;

/// Opens a cgroup directory given its absolute path, beneath the verified root of the
/// hierarchy mounted at `mount`.
fn open_below(mount: &std::path::Path, dir: &std::path::Path) -> Result<CgroupDir, String> {
    let rel = dir
        .strip_prefix(mount)
        .map_err(|_| format!("{} is not below {}", dir.display(), mount.display()))?;
    let root = CgroupDir::open_root(mount).map_err(|e| e.to_string())?;
    root.open_child(&rel.to_string_lossy())
        .map_err(|e| e.to_string())
}

fn v1_dir(
    h: &Hierarchies,
    paths: &BTreeMap<String, PathBuf>,
    controller: &str,
) -> Result<Option<CgroupDir>, String> {
    let (Some(dir), Some(hierarchy)) = (paths.get(controller), h.v1(controller)) else {
        return Ok(None);
    };
    open_below(&hierarchy.mount_point, dir).map(Some)
}

fn read_summary(backend: &Backend) -> Result<UsageSummary, String> {
    let h = backend.hierarchies;
    let paths = backend.manager.paths();
    if h.mode() == CgroupMode::Unified {
        let mount = h.unified_mount().ok_or("no cgroup2 mount")?;
        let dir = paths
            .get("")
            .ok_or("the manager reports no cgroup2 directory")?;
        let dir = open_below(mount, dir)?;
        return cgroup_stats::read_v2_summary(&dir).map_err(|e| e.to_string());
    }
    let mut dirs = V1Dirs::new();
    if let Some(d) = v1_dir(h, &paths, "cpuacct")? {
        dirs = dirs.with_cpuacct(d);
    }
    if let Some(d) = v1_dir(h, &paths, "memory")? {
        dirs = dirs.with_memory(d);
    }
    if let Some(d) = v1_dir(h, &paths, "pids")? {
        dirs = dirs.with_pids(d);
    }
    cgroup_stats::read_v1_summary(&dirs).map_err(|e| e.to_string())
}

/// The figures of the summary; an error says which file could not be read.
pub fn read(backend: &Backend) -> Result<Usage, String> {
    let s = read_summary(backend)?;
    let mut u = Usage::default();
    if let Some(cpu) = &s.cpu {
        u.cpu_total_ns = Some(cpu.total_ns);
        u.cpu_user_ns = Some(cpu.user_ns);
        u.cpu_system_ns = Some(cpu.system_ns);
    }
    if let Some(m) = &s.memory {
        u.memory_peak_bytes = m.peak_bytes;
        u.oom_kills = m.oom_kills;
    }
    if let Some(p) = &s.pids {
        u.pids_peak = p.peak;
    }
    Ok(u)
}
