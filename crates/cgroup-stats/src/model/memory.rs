//! Memory statistics: usage and limits, swap, kernel memory, `memory.stat`,
//! events and NUMA placement.

use cgroups_core::Limit;

use crate::model::memory_stat::MemoryStat;
use crate::model::numa::NumaStat;
use crate::parse::Pressure;

/// Memory statistics of a cgroup (Go reference: `MemoryStats`).
///
/// The swap figures keep the v1 meaning on both versions (C13): `swap_usage` is
/// memory **plus** swap (v1 `memory.memsw.*`; on v2 `memory.swap.current` +
/// `memory.current`), `swap_only_usage` is swap alone.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MemoryStats {
    /// Page cache: v1 `memory.stat` `cache`, v2 `file` (C13: v2 has no `cache`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub cache: Option<u64>,
    /// Memory charged to the cgroup (v2 `memory.current`, `memory.peak`,
    /// `memory.max`; v1 `memory.usage_in_bytes`, `.max_usage_in_bytes`,
    /// `.failcnt`, `.limit_in_bytes`).
    pub usage: MemoryData,
    /// Memory plus swap, the v1 `memsw` meaning; `None` without swap accounting.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub swap_usage: Option<MemoryData>,
    /// Swap alone (v2 `memory.swap.*`; v1 memsw usage − memory usage).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub swap_only_usage: Option<MemoryData>,
    /// Kernel memory (v1 `memory.kmem.*`; `limit` is `None` on kernels that removed
    /// `memory.kmem.limit_in_bytes`, C15). v2 reports it in `memory.stat` `kernel`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub kernel_usage: Option<MemoryData>,
    /// Kernel TCP buffers (v1 `memory.kmem.tcp.*`; v2: `memory.stat` `sock`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub kernel_tcp_usage: Option<MemoryData>,
    /// v1 `memory.use_hierarchy` is 1 (always true on v2).
    pub use_hierarchy: bool,
    /// Every line of `memory.stat`.
    #[cfg_attr(feature = "serde", serde(rename = "stats"))]
    pub stat: MemoryStat,
    /// v2 `memory.events` (counts include descendants unless cgroup2 is mounted
    /// with `memory_localevents`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub events: Option<MemoryEvents>,
    /// v1 `memory.oom_control`.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub oom_control: Option<OomControl>,
    /// v1 `memory.numa_stat` (pages per NUMA node).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "page_usage_by_numa", skip_serializing_if = "Option::is_none")
    )]
    pub numa: Option<NumaStat>,
    /// `memory.pressure` (v2 only).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub psi: Option<Pressure>,
}

/// One memory counter family: usage, peak, failures and limit (Go reference:
/// `MemoryData`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MemoryData {
    /// Bytes charged now.
    pub usage: u64,
    /// Highest charge seen (v1 `max_usage_in_bytes`; v2 `*.peak`, kernel ≥ 5.19).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub max_usage: Option<u64>,
    /// Times the limit was hit (v1 `failcnt`; v2 has no such file: `None`).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub failcnt: Option<u64>,
    /// The limit; [`Limit::Max`] serializes as 18446744073709551615 like the Go
    /// reference's "max".
    #[cfg_attr(
        feature = "serde",
        serde(
            serialize_with = "crate::model::json::opt_limit_u64_max",
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub limit: Option<Limit>,
}

/// v2 `memory.events`: how often the cgroup hit its boundaries.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MemoryEvents {
    /// Reclaimed below `memory.low` (`low`).
    pub low: Option<u64>,
    /// Throttled above `memory.high` (`high`).
    pub high: Option<u64>,
    /// Usage about to exceed `memory.max` (`max`).
    pub max: Option<u64>,
    /// The limit was hit and the OOM killer ran or would have (`oom`).
    pub oom: Option<u64>,
    /// Processes killed by the OOM killer (`oom_kill`).
    pub oom_kill: Option<u64>,
    /// Group OOM kills (`oom_group_kill`, kernel ≥ 5.17).
    pub oom_group_kill: Option<u64>,
}

/// v1 `memory.oom_control`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OomControl {
    /// The OOM killer is disabled for this cgroup (`oom_kill_disable 1`).
    pub oom_kill_disable: bool,
    /// Tasks are stalled waiting for memory right now (`under_oom 1`).
    pub under_oom: bool,
    /// Processes killed by the OOM killer (`oom_kill`, kernel ≥ 4.13).
    pub oom_kill: Option<u64>,
}

impl MemoryData {
    /// Memory plus swap in the v1 sense, from v2's memory and swap figures (C13):
    /// usages add up; the limit is unlimited if either limit is.
    pub fn v2_memory_plus_swap(memory: &MemoryData, swap: &MemoryData) -> MemoryData {
        let limit = match (memory.limit, swap.limit) {
            (Some(Limit::Value(m)), Some(Limit::Value(s))) => {
                Some(m.checked_add(s).map_or(Limit::Max, Limit::Value))
            }
            (Some(_), Some(_)) => Some(Limit::Max),
            _ => None,
        };
        MemoryData {
            usage: memory.usage.saturating_add(swap.usage),
            max_usage: None,
            failcnt: None,
            limit,
        }
    }
}

impl MemoryStats {
    /// Resets everything, keeping the capacity of lists.
    pub(crate) fn clear(&mut self) {
        self.cache = None;
        self.usage = MemoryData::default();
        self.swap_usage = None;
        self.swap_only_usage = None;
        self.kernel_usage = None;
        self.kernel_tcp_usage = None;
        self.use_hierarchy = false;
        self.stat.clear();
        self.events = None;
        self.oom_control = None;
        if let Some(numa) = &mut self.numa {
            numa.clear();
        }
        self.psi = None;
    }
}
