//! CPU statistics: time used (total, user, system, per CPU), CFS bandwidth
//! throttling and burst.

use crate::parse::Pressure;

/// CPU statistics of a cgroup (Go reference: `CpuStats`).
///
/// v2: `cpu.stat` and `cpu.pressure`. v1: `cpu.stat` of the `cpu` hierarchy and
/// `cpuacct.usage`, `cpuacct.stat`, `cpuacct.usage_percpu` and
/// `cpuacct.usage_all` of the `cpuacct` hierarchy.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CpuStats {
    /// CPU time used; `None` on v1 when no `cpuacct` directory was read.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "cpu_usage", skip_serializing_if = "Option::is_none")
    )]
    pub usage: Option<CpuUsageStats>,
    /// CFS bandwidth throttling; `None` when the kernel does not report it (v2
    /// without the `cpu` controller, v1 without the `cpu` hierarchy).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "throttling_data", skip_serializing_if = "Option::is_none")
    )]
    pub throttling: Option<ThrottlingData>,
    /// CFS burst counters (kernel ≥ 5.14 with the `cpu` controller).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "burst_data", skip_serializing_if = "Option::is_none")
    )]
    pub burst: Option<BurstData>,
    /// `cpu.pressure` (v2 only; `None` when the kernel has no PSI data).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub psi: Option<Pressure>,
}

/// CPU time used, in nanoseconds (Go reference: `CpuUsage`).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CpuUsageStats {
    /// Total CPU time (v2 `usage_usec` × 1000; v1 `cpuacct.usage`).
    #[cfg_attr(feature = "serde", serde(rename = "total_usage"))]
    pub total_ns: u64,
    /// Per-CPU total time, indexed by CPU number (v1 only; empty on v2).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "percpu_usage", skip_serializing_if = "Vec::is_empty")
    )]
    pub percpu_ns: Vec<u64>,
    /// Per-CPU time in kernel mode (v1 `cpuacct.usage_all`, kernel ≥ 4.7).
    #[cfg_attr(feature = "serde", serde(rename = "percpu_usage_in_kernelmode"))]
    pub percpu_system_ns: Vec<u64>,
    /// Per-CPU time in user mode (v1 `cpuacct.usage_all`, kernel ≥ 4.7).
    #[cfg_attr(feature = "serde", serde(rename = "percpu_usage_in_usermode"))]
    pub percpu_user_ns: Vec<u64>,
    /// Time in kernel mode (v2 `system_usec` × 1000; v1 `cpuacct.stat` `system`,
    /// ticks of 10 ms).
    #[cfg_attr(feature = "serde", serde(rename = "usage_in_kernelmode"))]
    pub system_ns: u64,
    /// Time in user mode (v2 `user_usec` × 1000; v1 `cpuacct.stat` `user`).
    #[cfg_attr(feature = "serde", serde(rename = "usage_in_usermode"))]
    pub user_ns: u64,
}

/// CFS bandwidth throttling (Go reference: `ThrottlingData`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ThrottlingData {
    /// Enforcement periods that elapsed (`nr_periods`).
    pub periods: u64,
    /// Periods in which the cgroup was throttled (`nr_throttled`).
    pub throttled_periods: u64,
    /// Total time throttled, ns (v1 `throttled_time`; v2 `throttled_usec` × 1000).
    #[cfg_attr(feature = "serde", serde(rename = "throttled_time"))]
    pub throttled_time_ns: u64,
}

/// CFS burst counters (Go reference: `BurstData`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BurstData {
    /// Periods in which a burst happened (`nr_bursts`).
    #[cfg_attr(feature = "serde", serde(rename = "bursts_periods"))]
    pub bursts: u64,
    /// Time spent above the quota, ns (v1 `burst_time`; v2 `burst_usec` × 1000).
    #[cfg_attr(feature = "serde", serde(rename = "burst_time"))]
    pub burst_time_ns: u64,
}

impl CpuStats {
    /// Empties the per-CPU lists and resets the values, keeping capacity.
    pub(crate) fn clear(&mut self) {
        if let Some(u) = &mut self.usage {
            u.percpu_ns.clear();
            u.percpu_system_ns.clear();
            u.percpu_user_ns.clear();
            (u.total_ns, u.system_ns, u.user_ns) = (0, 0, 0);
        }
        self.throttling = None;
        self.burst = None;
        self.psi = None;
    }
}
