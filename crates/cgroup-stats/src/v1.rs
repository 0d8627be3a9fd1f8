//! The usage summary of a cgroup on cgroup v1 hierarchies.

use cgroups_core::CgroupDir;

use crate::error::Result;
use crate::file::FileReader;
use crate::parse::{counter, cpuacct_stat, cpuacct_usage, flat_keyed};
use crate::summary::{CpuUsage, MemoryUsage, PidsUsage, UsageSummary};

/// The directories of one cgroup in the v1 hierarchies that a summary reads.
///
/// On cgroup v1 every controller has its own hierarchy, so one cgroup is one
/// directory per hierarchy (`/sys/fs/cgroup/cpuacct/<path>`,
/// `/sys/fs/cgroup/memory/<path>`, ...). Open each with
/// [`CgroupDir::open_root`] on the hierarchy's mount point and
/// [`CgroupDir::open_child`] with the cgroup's path; leave a controller `None` to skip
/// it (its part of the summary is then `None`):
///
/// ```no_run
/// use cgroup_stats::V1Dirs;
/// use cgroups_core::CgroupDir;
///
/// let cpuacct = CgroupDir::open_root("/sys/fs/cgroup/cpuacct")?.open_child("job")?;
/// let pids = CgroupDir::open_root("/sys/fs/cgroup/pids")?.open_child("job")?;
/// let used = cgroup_stats::read_v1_summary(&V1Dirs::new().with_cpuacct(cpuacct).with_pids(pids))?;
/// assert!(used.memory.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
/// When `cpu` and `cpuacct` are
/// co-mounted, the `cpuacct` handle is the `cpu,cpuacct` directory.
#[non_exhaustive]
#[derive(Debug, Default)]
pub struct V1Dirs {
    /// The cgroup's directory in the `cpuacct` hierarchy.
    pub cpuacct: Option<CgroupDir>,
    /// The cgroup's directory in the `memory` hierarchy.
    pub memory: Option<CgroupDir>,
    /// The cgroup's directory in the `pids` hierarchy.
    pub pids: Option<CgroupDir>,
    /// The cgroup's directory in the `cpu` hierarchy (throttling; the
    /// [`Reader`](crate::Reader) only).
    pub cpu: Option<CgroupDir>,
    /// The cgroup's directory in the `cpuset` hierarchy (the reader only).
    pub cpuset: Option<CgroupDir>,
    /// The cgroup's directory in the `blkio` hierarchy (the reader only).
    pub blkio: Option<CgroupDir>,
    /// The cgroup's directory in the `hugetlb` hierarchy (the reader only).
    pub hugetlb: Option<CgroupDir>,
    /// The cgroup's directory in the `rdma` hierarchy (the reader only).
    pub rdma: Option<CgroupDir>,
    /// The cgroup's directory in the `misc` hierarchy (the reader only).
    pub misc: Option<CgroupDir>,
}

impl V1Dirs {
    /// No directories: every part of the summary is `None`.
    pub fn new() -> V1Dirs {
        V1Dirs::default()
    }

    /// Sets the cgroup's directory in the `cpuacct` hierarchy.
    pub fn with_cpuacct(mut self, dir: CgroupDir) -> V1Dirs {
        self.cpuacct = Some(dir);
        self
    }

    /// Sets the cgroup's directory in the `memory` hierarchy.
    pub fn with_memory(mut self, dir: CgroupDir) -> V1Dirs {
        self.memory = Some(dir);
        self
    }

    /// Sets the cgroup's directory in the `pids` hierarchy.
    pub fn with_pids(mut self, dir: CgroupDir) -> V1Dirs {
        self.pids = Some(dir);
        self
    }

    /// Sets the cgroup's directory in the hierarchy of `controller` (`cpu`,
    /// `cpuacct`, `cpuset`, `memory`, `pids`, `blkio`, `hugetlb`, `rdma`,
    /// `misc`); `false` for a name this crate reads nothing from.
    pub fn set(&mut self, controller: &str, dir: CgroupDir) -> bool {
        let slot = match controller {
            "cpu" => &mut self.cpu,
            "cpuacct" => &mut self.cpuacct,
            "cpuset" => &mut self.cpuset,
            "memory" => &mut self.memory,
            "pids" => &mut self.pids,
            "blkio" => &mut self.blkio,
            "hugetlb" => &mut self.hugetlb,
            "rdma" => &mut self.rdma,
            "misc" => &mut self.misc,
            _ => return false,
        };
        *slot = Some(dir);
        true
    }
}

/// Reads what a cgroup used on cgroup v1: `cpuacct.usage`, `cpuacct.stat`,
/// `memory.usage_in_bytes`, `memory.max_usage_in_bytes`, `memory.oom_control`,
/// `pids.current`, `pids.peak`.
///
/// For each directory given, the controller's basic files are required;
/// `memory.oom_control`'s `oom_kill` (kernel ≥ 4.13) and `pids.peak` are optional.
/// v1 has no count of OOM events, so `oom_events` is always `None` here.
///
/// # Errors
///
/// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when a required file is
/// absent (the directory is in another hierarchy, or the cgroup was removed);
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the file and line of
/// malformed content; [`ErrorKind::Io`](crate::ErrorKind::Io) for other read errors.
pub fn read_v1_summary(dirs: &V1Dirs) -> Result<UsageSummary> {
    Ok(UsageSummary {
        cpu: dirs.cpuacct.as_ref().map(read_cpu).transpose()?,
        memory: dirs.memory.as_ref().map(read_memory).transpose()?,
        pids: dirs.pids.as_ref().map(read_pids).transpose()?,
    })
}

fn read_cpu(dir: &CgroupDir) -> Result<CpuUsage> {
    let mut files = FileReader::new(dir);
    let total_ns = files.parse("cpuacct.usage", cpuacct_usage)?;
    let times = files.parse("cpuacct.stat", cpuacct_stat)?;
    Ok(CpuUsage {
        total_ns,
        user_ns: times.user_ns,
        system_ns: times.system_ns,
    })
}

fn read_memory(dir: &CgroupDir) -> Result<MemoryUsage> {
    let mut files = FileReader::new(dir);
    let current_bytes = files.parse("memory.usage_in_bytes", counter)?;
    let peak_bytes = files.parse("memory.max_usage_in_bytes", counter)?;
    let oom = files.parse_optional("memory.oom_control", |t| flat_keyed(t, ["oom_kill"]))?;
    Ok(MemoryUsage {
        current_bytes,
        peak_bytes: Some(peak_bytes),
        oom_events: None,
        oom_kills: oom.and_then(|[kills]| kills),
    })
}

fn read_pids(dir: &CgroupDir) -> Result<PidsUsage> {
    let mut files = FileReader::new(dir);
    let current = files.parse("pids.current", counter)?;
    let peak = files.parse_optional("pids.peak", counter)?;
    Ok(PidsUsage { current, peak })
}

#[cfg(test)]
#[path = "v1_tests.rs"]
mod tests;
