//! Statistics of the smaller controllers: pids, cpuset, hugetlb, rdma, misc.

use cgroups_core::Limit;

use crate::model::name::ShortName;

/// Task counts (Go reference: `PidsStats`).
///
/// With the pids controller on, `current` is the kernel's counter
/// `pids.current`: every task (thread) of the cgroup and its descendants.
/// Without it (a v2 cgroup whose parent does not enable `pids`), the reader
/// does what the Go reference does so that JSON consumers still get a
/// `current`: it counts the lines of this cgroup's own `cgroup.procs` (or of
/// `cgroup.threads` in a threaded cgroup, where reading `cgroup.procs` fails
/// with `EOPNOTSUPP`). That is another quantity: processes (or threads) of
/// this one directory, none of its descendants. [`source`](Self::source) says
/// which one `current` is; check it before comparing the two.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PidsStats {
    /// The task count [`source`](Self::source) names: `pids.current` (threads
    /// of the subtree), or the lines of this cgroup's `cgroup.procs` or
    /// `cgroup.threads`.
    pub current: u64,
    /// Highest `current` seen (`pids.peak`, kernel ≥ 6.1 on v2, ≥ 6.12 on v1).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub peak: Option<u64>,
    /// `pids.max`; `None` when the pids controller is off (the count comes
    /// from a process list). Serializes as 0 for unlimited and for `None`, as
    /// the Go reference does.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::json::opt_limit_zero_max")
    )]
    pub limit: Option<Limit>,
    /// Forks refused because of the limit (`pids.events` `max`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub events_max: Option<u64>,
    /// Where `current` comes from. In JSON it appears only for a counted value,
    /// as `"counted_from": "cgroup.procs"` (or `"cgroup.threads"`); the Go
    /// reference has no such field, and its decoders ignore it.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "counted_from",
            skip_serializing_if = "PidsSource::is_counter"
        )
    )]
    pub source: PidsSource,
}

/// What [`PidsStats::current`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PidsSource {
    /// `pids.current`: the kernel's count of tasks (threads) in the cgroup and
    /// all its descendants.
    PidsCurrent,
    /// The pids controller is off: the number of processes listed in this
    /// cgroup's own `cgroup.procs` (its threads and its descendants' processes
    /// are not counted).
    CgroupProcs,
    /// The pids controller is off and the cgroup is threaded (`cgroup.procs`
    /// gave `EOPNOTSUPP`): the number of threads listed in this cgroup's own
    /// `cgroup.threads`.
    CgroupThreads,
}

impl PidsSource {
    /// Whether the value is the kernel's counter (`pids.current`).
    pub fn is_counter(&self) -> bool {
        matches!(self, PidsSource::PidsCurrent)
    }

    /// The file the value was read or counted from.
    pub fn file_name(self) -> &'static str {
        match self {
            PidsSource::PidsCurrent => "pids.current",
            PidsSource::CgroupProcs => "cgroup.procs",
            PidsSource::CgroupThreads => "cgroup.threads",
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PidsSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.file_name())
    }
}

/// A list of CPU or memory node numbers, held as ranges (`0-2,7,12-14`).
///
/// Empty means the file was empty: on v2 a child's `cpuset.cpus` is normally
/// empty, meaning "inherit from the parent" (C16), not "no CPUs"; read the
/// `effective` list for the set in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdList {
    ranges: Vec<(u16, u16)>,
}

impl IdList {
    /// The ranges `(first, last)`, inclusive, in file order.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    /// Every number, in file order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().flat_map(|&(a, b)| a..=b)
    }

    /// How many numbers the list holds.
    pub fn len(&self) -> usize {
        let width = |&(a, b): &(u16, u16)| usize::from(b - a) + 1;
        self.ranges.iter().map(width).sum()
    }

    /// Whether the list is empty (the file was empty: "inherit").
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `id` is in the list.
    pub fn contains(&self, id: u16) -> bool {
        self.ranges.iter().any(|&(a, b)| (a..=b).contains(&id))
    }

    pub(crate) fn clear(&mut self) {
        self.ranges.clear();
    }

    pub(crate) fn push(&mut self, first: u16, last: u16) {
        self.ranges.push((first, last));
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IdList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// cpuset statistics (Go reference: `CPUSetStats`). The lists are on both
/// versions; the scalar files exist on v1 only (`None` on v2).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CpusetStats {
    /// `cpuset.cpus`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "IdList::is_empty"))]
    pub cpus: IdList,
    /// `cpuset.mems`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "IdList::is_empty"))]
    pub mems: IdList,
    /// The CPUs in force (v1 `cpuset.effective_cpus`, v2 `cpuset.cpus.effective`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "IdList::is_empty"))]
    pub effective_cpus: IdList,
    /// The memory nodes in force.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "IdList::is_empty"))]
    pub effective_mems: IdList,
    /// v1 `cpuset.cpu_exclusive`.
    #[cfg_attr(feature = "serde", serde(rename = "cpu_exclusive"))]
    pub cpu_exclusive: Option<u64>,
    /// v1 `cpuset.mem_hardwall`.
    pub mem_hardwall: Option<u64>,
    /// v1 `cpuset.mem_exclusive`.
    pub mem_exclusive: Option<u64>,
    /// v1 `cpuset.memory_migrate`.
    pub memory_migrate: Option<u64>,
    /// v1 `cpuset.memory_spread_page`.
    pub memory_spread_page: Option<u64>,
    /// v1 `cpuset.memory_spread_slab`.
    pub memory_spread_slab: Option<u64>,
    /// v1 `cpuset.memory_pressure`.
    pub memory_pressure: Option<u64>,
    /// v1 `cpuset.sched_load_balance`.
    pub sched_load_balance: Option<u64>,
    /// v1 `cpuset.sched_relax_domain_level` (may be −1).
    pub sched_relax_domain_level: Option<i64>,
}

/// A huge page size as cgroup file names spell it (`64KB`, `2MB`, `1GB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageSize {
    kib: u64,
}

impl PageSize {
    /// A size of `kib` KiB (`/sys/kernel/mm/hugepages/hugepages-<kib>kB`).
    pub fn from_kib(kib: u64) -> PageSize {
        PageSize { kib }
    }

    /// The size in KiB.
    pub fn kib(self) -> u64 {
        self.kib
    }
}

impl std::fmt::Display for PageSize {
    /// The kernel's spelling in hugetlb file names: whole GB from 1 GiB up, whole
    /// MB from 1 MiB up, else KB (it truncates: 1536 KiB is `1MB`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kib {
            k if k >= 1 << 20 => write!(f, "{}GB", k >> 20),
            k if k >= 1 << 10 => write!(f, "{}MB", k >> 10),
            k => write!(f, "{k}KB"),
        }
    }
}

/// hugetlb statistics of one page size (Go reference: `HugetlbStats`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HugetlbStats {
    /// The page size.
    pub page_size: PageSize,
    /// Bytes of faulted huge pages (v2 `hugetlb.<size>.current`; v1
    /// `.usage_in_bytes`).
    pub usage: u64,
    /// Bytes reserved and faulted (`.rsvd.current` / `.rsvd.usage_in_bytes`,
    /// kernel ≥ 5.7); `None` when absent. The Go reference reports this one as
    /// usage when present (C11); so does the JSON form.
    pub rsvd_usage: Option<u64>,
    /// Highest usage (v1 `.max_usage_in_bytes`; v2 has none).
    pub max_usage: Option<u64>,
    /// Allocations refused by the limit (v1 `.failcnt`; v2 `.events` `max`).
    pub failcnt: Option<u64>,
    /// The limit (v2 `.max`; v1 `.limit_in_bytes`).
    pub limit: Option<Limit>,
}

/// One device's RDMA resources (Go reference: `RdmaEntry`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RdmaEntry {
    /// The device name (`mlx4_0`).
    pub device: ShortName,
    /// HCA handles; `u32::MAX` for `max`.
    pub hca_handles: u32,
    /// HCA objects; `u32::MAX` for `max`.
    pub hca_objects: u32,
}

/// RDMA statistics (Go reference: `RdmaStats`).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RdmaStats {
    /// `rdma.max`.
    #[cfg_attr(feature = "serde", serde(rename = "rdma_limit"))]
    pub limit: Vec<RdmaEntry>,
    /// `rdma.current`.
    #[cfg_attr(feature = "serde", serde(rename = "rdma_current"))]
    pub current: Vec<RdmaEntry>,
}

/// One misc resource (Go reference: `MiscStats`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MiscStats {
    /// The resource (`sev`, `sev_es`, `tdx`).
    pub name: ShortName,
    /// `misc.current`.
    pub usage: u64,
    /// `misc.max`, when the resource is listed there.
    pub limit: Option<Limit>,
    /// `misc.events` `<name>.max`: allocations refused by the limit.
    pub events: Option<u64>,
}
