//! The statistics model: [`Stats`] and its parts, for cgroup v1 and v2.
//!
//! Every part is `None` (or an empty list) when its controller was not asked
//! for or its files are absent; inside a part, `None` means this kernel does not
//! report that value. Nothing absent is reported as zero.

mod blkio;
mod controllers;
mod cpu;
#[cfg(feature = "serde")]
pub(crate) mod json;
mod memory;
mod memory_stat;
mod memory_stat_keys;
mod name;
mod numa;

pub(crate) use blkio::BlkioList;
pub use blkio::{BlkioEntry, BlkioOp, BlkioSource, BlkioStats};
pub use controllers::{
    CpusetStats, HugetlbStats, IdList, MiscStats, PageSize, PidsSource, PidsStats, RdmaEntry,
    RdmaStats,
};
pub use cpu::{BurstData, CpuStats, CpuUsageStats, ThrottlingData};
pub use memory::{MemoryData, MemoryEvents, MemoryStats, OomControl};
pub use memory_stat::{MemoryStat, MemoryStatName};
pub use memory_stat_keys::MemoryStatKey;
pub use name::{SHORT_NAME_MAX, ShortName};
pub use numa::{HierarchicalNumaStat, NumaStat, PageStats};

/// Statistics of one cgroup (Go reference: `cgroups.Stats`).
///
/// With the `serde` feature it serializes with the Go reference's JSON names
/// (`cpu_stats.cpu_usage.total_usage`, `memory_stats.usage`, `pids_stats`,
/// `hugetlb_stats` keyed by page size, ...); absent parts are left out.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Stats {
    /// CPU time, throttling, burst, pressure.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "cpu_stats", skip_serializing_if = "Option::is_none")
    )]
    pub cpu: Option<CpuStats>,
    /// cpuset lists and flags.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "cpuset_stats", skip_serializing_if = "Option::is_none")
    )]
    pub cpuset: Option<CpusetStats>,
    /// Memory, swap, kernel memory, `memory.stat`, events, NUMA, pressure.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "memory_stats", skip_serializing_if = "Option::is_none")
    )]
    pub memory: Option<MemoryStats>,
    /// Tasks.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "pids_stats", skip_serializing_if = "Option::is_none")
    )]
    pub pids: Option<PidsStats>,
    /// Block I/O.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "blkio_stats", skip_serializing_if = "Option::is_none")
    )]
    pub blkio: Option<BlkioStats>,
    /// hugetlb, one entry per page size of the machine.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "hugetlb_stats",
            serialize_with = "json::hugetlb_map",
            skip_serializing_if = "Vec::is_empty"
        )
    )]
    pub hugetlb: Vec<HugetlbStats>,
    /// RDMA.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "rdma_stats", skip_serializing_if = "Option::is_none")
    )]
    pub rdma: Option<RdmaStats>,
    /// misc resources.
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "misc_stats",
            serialize_with = "json::misc_map",
            skip_serializing_if = "Vec::is_empty"
        )
    )]
    pub misc: Vec<MiscStats>,
}
